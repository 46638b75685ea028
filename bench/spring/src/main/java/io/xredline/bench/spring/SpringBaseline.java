package io.xredline.bench.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;
import java.util.UUID;

/**
 * Spring MVC doing the work of two of xredline's measured routes: {@code {"status":"UP"}} on
 * {@code /healthz/live} (plain JSON) and the greeter's checks and INSERT on {@code /helloworld/{name}}.
 */
@SpringBootApplication
@RestController
public class SpringBaseline {
  private static final int MAX_NAME_LENGTH = 100;
  private final JdbcTemplate jdbc;

  public SpringBaseline(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public static void main(String[] args) {
    SpringApplication.run(SpringBaseline.class, args);
  }

  @GetMapping("/healthz/live")
  public Map<String, String> live() {
    return Map.of("status", "UP");
  }

  @GetMapping("/helloworld/{name}")
  public ResponseEntity<Map<String, Object>> hello(@PathVariable String name) {
    if (name.isBlank() || name.codePointCount(0, name.length()) > MAX_NAME_LENGTH
        || name.chars().anyMatch(Character::isISOControl)) {
      return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("code", 400, "reason", "VALIDATION_FAILED"));
    }
    jdbc.update("INSERT INTO greetings (name, transport, request_id) VALUES (?, ?, ?)", name, "http",
        UUID.randomUUID().toString());
    return ResponseEntity.ok(Map.of("message", "Hello " + name));
  }
}
