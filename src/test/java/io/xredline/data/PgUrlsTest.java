package io.xredline.data;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Flyway's JDBC connection is read from the URL exactly as the pool reads it")
class PgUrlsTest {

  @Test
  @DisplayName("host, port, database and decoded credentials match the pool's; the URL's query reaches JDBC as written")
  void sameAsThePool() {
    String url = "postgresql://app:p%40ss@db.internal:6543/orders?sslmode=require&connect_timeout=3";
    PgUrls.Jdbc jdbc = PgUrls.jdbc(url);
    var pool = PgUrls.connectOptions(url);
    assertThat(jdbc.url()).isEqualTo("jdbc:postgresql://db.internal:6543/orders?sslmode=require&connect_timeout=3");
    assertThat(jdbc.properties().getProperty("user")).isEqualTo(pool.getUser()).isEqualTo("app");
    assertThat(jdbc.properties().getProperty("password")).isEqualTo(pool.getPassword()).isEqualTo("p@ss");
    assertThat(pool.getDatabase()).isEqualTo("orders");
  }

  @Test
  @DisplayName("an IPv6 host keeps its brackets; a URL without a database uses the pool's default database")
  void edges() {
    assertThat(PgUrls.jdbc("postgresql://u:pw@[::1]:6000/d").url()).isEqualTo("jdbc:postgresql://[::1]:6000/d");
    assertThat(PgUrls.jdbc("postgresql://u:pw@db").url())
        .isEqualTo("jdbc:postgresql://db:5432/" + PgUrls.connectOptions("postgresql://u:pw@db").getDatabase());
  }
}
