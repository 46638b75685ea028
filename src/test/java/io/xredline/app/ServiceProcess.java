package io.xredline.app;

import io.xredline.testing.TestBackends;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real fat jar in a child JVM, as an operator starts it: for start-up, exit-code and signal tests. */
final class ServiceProcess implements AutoCloseable {
  static final Path JAR = Path.of("target", "xredline.jar").toAbsolutePath();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final int httpPort;
  private final int grpcPort;
  private final long startedAt = System.nanoTime();

  private ServiceProcess(Process process, Path stdout, Path stderr, int httpPort, int grpcPort) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.httpPort = httpPort;
    this.grpcPort = grpcPort;
  }

  /** {@code env} is added to the parent's environment minus any XREDLINE_*; ports default to free ones. */
  static ServiceProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
    Files.createDirectories(workDir);
    List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx512m"));
    if (env.containsKey("HOME")) {
      // the JVM takes user.home from the password database, not from HOME: without this a test
      // "home" would share ~/.xredline/pgdata with every other run on the machine
      command.add("-Duser.home=" + env.get("HOME"));
    }
    command.addAll(List.of("-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    Path out = workDir.resolve("stdout.log");
    Path err = workDir.resolve("stderr.log");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> all = new HashMap<>(env);
    all.putIfAbsent("XREDLINE_SERVER__HTTP__PORT", String.valueOf(TestBackends.freePort()));
    all.putIfAbsent("XREDLINE_SERVER__GRPC__PORT", String.valueOf(TestBackends.freePort()));
    all.putIfAbsent("XREDLINE_SERVER__HTTP__HOST", "127.0.0.1");
    all.putIfAbsent("XREDLINE_SERVER__GRPC__HOST", "127.0.0.1");
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(k -> k.startsWith("XREDLINE_"));
    environment.putAll(all);
    Process process = builder.start();
    return new ServiceProcess(process, out, err,
        Integer.parseInt(all.get("XREDLINE_SERVER__HTTP__PORT")), Integer.parseInt(all.get("XREDLINE_SERVER__GRPC__PORT")));
  }

  int http() {
    return httpPort;
  }

  int grpc() {
    return grpcPort;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  String stdout() {
    return read(stdout);
  }

  String stderr() {
    return read(stderr);
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  int status(String path) {
    try {
      return get(path).statusCode();
    } catch (IllegalStateException e) {
      return -1;
    }
  }

  HttpResponse<String> get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http() + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** @return milliseconds from process start until {@code /healthz/ready} answered 200 */
  long awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("service exited with " + process.exitValue() + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
      }
      if (status("/healthz/ready") == 200) {
        return (System.nanoTime() - startedAt) / 1_000_000;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not ready within " + timeout + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("still running after " + timeout + "\nstdout:\n" + stdout());
    }
    return process.exitValue();
  }

  void sigterm() {
    process.destroy();
  }

  /** SIGKILL: no drain, no leaving the cluster; the JVM is gone when this returns. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
