package io.xredline.testing;

import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Real Redis topologies made of the machine's {@code redis-server}: a Redis Cluster (masters with
 * replicas, built with {@code redis-cli --cluster create}) or a Sentinel setup (one master,
 * replicas, several {@code redis-server --sentinel}). Every process gets free loopback ports and
 * its own directory under a temp dir, and a password. {@link #close()} kills every process with
 * SIGKILL and removes the directory; a JVM shutdown hook does the same for a topology a crashed
 * test left behind. Start-up waits for what a client needs ({@code cluster_state:ok} on every node,
 * replicas linked, sentinels agreeing on the master and on each other), never for an amount of time.
 */
public final class RedisTopology implements AutoCloseable, ExtensionContext.Store.CloseableResource {
  public enum Kind { CLUSTER, SENTINEL }

  public static final String MASTER_NAME = "xrmaster";
  /** Start-up of six processes plus a cluster handshake on a loaded two-core machine. */
  static final Duration START_BOUND = Duration.ofSeconds(60);
  private static final Set<RedisTopology> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(RedisTopology::close), "redis-topology-cleanup"));
  }

  /** One redis-server (or sentinel) process. */
  public final class Node {
    private final String name;
    private final boolean sentinel;
    private final Path dir;
    private final List<String> config;
    private int port;
    private volatile Process process;

    private Node(String name, boolean sentinel, List<String> config) {
      this.name = name;
      this.sentinel = sentinel;
      this.dir = root.resolve(name);
      this.config = config;
    }

    public int port() {
      return port;
    }

    public String address() {
      return "127.0.0.1:" + port;
    }

    /** The node's URL with the topology's password, as a client would configure it. */
    public String url() {
      return "redis://:" + password + "@" + address();
    }

    public boolean alive() {
      Process p = process;
      return p != null && p.isAlive();
    }

    /** SIGKILL: the process vanishes as in a crash, without a chance to hand anything over. */
    public void kill() {
      Process p = process;
      if (p != null) {
        p.destroyForcibly();
        try {
          p.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /** One command through {@code redis-cli}; its output, trimmed. */
    public String cli(String... command) {
      return RedisTopology.this.cli(port, command);
    }

    /** A field of an INFO-style reply ({@code CLUSTER INFO}, {@code INFO replication}). */
    public String info(String field, String... command) {
      return field(cli(command), field);
    }

    public String role() {
      return info("role", "INFO", "replication");
    }

    @Override
    public String toString() {
      return name + "@" + address() + (alive() ? "" : " (dead)");
    }

    private void start(List<String> extra) {
      for (int attempt = 1; ; attempt++) {
        port = TestBackends.freePort();
        List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "dir " + dir,
            "save \"\"", "appendonly no", "requirepass " + password, "protected-mode no"));
        lines.addAll(config);
        lines.addAll(extra.stream().map(l -> l.replace("%BUSPORT%", String.valueOf(TestBackends.freePort()))).toList());
        try {
          Files.createDirectories(dir);
          Path conf = dir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
          Files.write(conf, lines);
          List<String> cmd = new ArrayList<>(List.of("redis-server", conf.toString()));
          if (sentinel) {
            cmd.add("--sentinel");
          }
          process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
              .redirectOutput(dir.resolve("server.log").toFile()).start();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot start redis-server for " + name, e);
        }
        if (awaitPong()) {
          return;
        }
        kill();
        if (attempt == 3) {
          throw new IllegalStateException(name + " did not start on port " + port + ": " + log());
        }
        // most likely the free port was taken by someone else in between: try another one
      }
    }

    private boolean awaitPong() {
      long deadline = System.nanoTime() + Eventually.BOUND.toNanos();
      while (System.nanoTime() < deadline) {
        if (!alive()) {
          return false;
        }
        if ("PONG".equals(cliQuiet(port, "PING"))) {
          return true;
        }
        pause();
      }
      return false;
    }

    String log() {
      try {
        String text = Files.readString(dir.resolve("server.log"));
        return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
      } catch (IOException e) {
        return "(no log)";
      }
    }
  }

  private final Kind kind;
  private final Path root;
  private final String password = "xr-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  private final List<Node> dataNodes = new ArrayList<>();
  private final List<Node> sentinels = new ArrayList<>();

  private RedisTopology(Kind kind) {
    this.kind = kind;
    try {
      this.root = Files.createTempDirectory("xredline-redis-" + kind.name().toLowerCase());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LIVE.add(this);
  }

  /**
   * {@code masters} masters with {@code replicasPerMaster} replicas each. {@code nodeTimeoutMs} is
   * {@code cluster-node-timeout}: how long a silent master takes to be declared failed.
   */
  public static RedisTopology cluster(int masters, int replicasPerMaster, long nodeTimeoutMs) {
    RedisTopology t = new RedisTopology(Kind.CLUSTER);
    try {
      for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
        Node node = t.new Node("node" + i, false, List.of("cluster-enabled yes", "cluster-config-file nodes.conf",
            "cluster-node-timeout " + nodeTimeoutMs, "masterauth " + t.password,
            // a replica that lost its master for long still takes over: tests kill masters on purpose
            "cluster-replica-validity-factor 0", "cluster-allow-replica-migration no"));
        node.start(List.of("cluster-port %BUSPORT%"));
        t.dataNodes.add(node);
      }
      List<String> create = new ArrayList<>(List.of("--cluster", "create"));
      t.dataNodes.forEach(n -> create.add(n.address()));
      create.addAll(List.of("--cluster-replicas", String.valueOf(replicasPerMaster), "--cluster-yes"));
      String out = t.cliAny(create.toArray(String[]::new));
      if (!out.contains("All 16384 slots covered")) {
        throw new IllegalStateException("redis-cli --cluster create failed: " + out);
      }
      t.awaitClusterSettled();
      return t;
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    }
  }

  /** One master, {@code replicas} replicas and {@code sentinelCount} sentinels (quorum: a majority of them). */
  public static RedisTopology sentinel(int replicas, int sentinelCount, long downAfterMs) {
    RedisTopology t = new RedisTopology(Kind.SENTINEL);
    try {
      Node master = t.new Node("master", false, List.of("masterauth " + t.password));
      master.start(List.of());
      t.dataNodes.add(master);
      for (int i = 0; i < replicas; i++) {
        Node replica = t.new Node("replica" + i, false, List.of("masterauth " + t.password));
        replica.start(List.of("replicaof 127.0.0.1 " + master.port()));
        t.dataNodes.add(replica);
      }
      int quorum = sentinelCount / 2 + 1;
      for (int i = 0; i < sentinelCount; i++) {
        Node sentinel = t.new Node("sentinel" + i, true, List.of());
        sentinel.start(List.of(
            "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " " + quorum,
            "sentinel auth-pass " + MASTER_NAME + " " + t.password,
            "sentinel sentinel-pass " + t.password,
            "sentinel down-after-milliseconds " + MASTER_NAME + " " + downAfterMs,
            "sentinel failover-timeout " + MASTER_NAME + " 10000",
            "sentinel parallel-syncs " + MASTER_NAME + " 1"));
        t.sentinels.add(sentinel);
      }
      t.awaitSentinelsSettled(master);
      return t;
    } catch (RuntimeException | Error e) {
      t.close();
      throw e;
    }
  }

  public Kind kind() {
    return kind;
  }

  public String password() {
    return password;
  }

  public List<Node> dataNodes() {
    return List.copyOf(dataNodes);
  }

  public List<Node> sentinels() {
    return List.copyOf(sentinels);
  }

  /**
   * The service's configuration for this topology, as dotted keys. Cluster: seed endpoints with the
   * password in each URL (the masters; the client discovers the rest). Sentinel: the sentinels, the
   * master name, and the password given once in {@code data.redis.password}.
   */
  public Map<String, String> appOverrides() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("data.redis.mode", kind.name().toLowerCase());
    if (kind == Kind.CLUSTER) {
      o.put("data.redis.endpoints", masters().stream().map(Node::url).collect(Collectors.joining(",")));
    } else {
      o.put("data.redis.endpoints", sentinels.stream().map(n -> "redis://" + n.address()).collect(Collectors.joining(",")));
      o.put("data.redis.master_name", MASTER_NAME);
      o.put("data.redis.password", password);
    }
    return o;
  }

  /** The nodes that are masters right now (asked of the live nodes themselves). */
  public List<Node> masters() {
    return dataNodes.stream().filter(Node::alive).filter(n -> "master".equals(n.role())).toList();
  }

  public Node node(String address) {
    return dataNodes.stream().filter(n -> n.address().equals(address)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no node " + address + " in " + dataNodes));
  }

  /** Cluster: the master serving {@code key}'s slot, as the live cluster says. */
  public Node masterOf(String key) {
    Node any = liveNode();
    String slot = any.cli("CLUSTER", "KEYSLOT", key);
    for (String line : any.cli("CLUSTER", "NODES").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
        continue;
      }
      for (int i = 8; i < f.length; i++) {
        String[] range = f[i].split("-");
        int from = Integer.parseInt(range[0]);
        int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
        int s = Integer.parseInt(slot);
        if (s >= from && s <= to) {
          return node(f[1].split("@")[0]);
        }
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  /** Sentinel: the master the sentinels agree on. */
  public Node sentinelMaster() {
    String[] addr = liveSentinel().cli("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).split("\n");
    return node(addr[0].trim() + ":" + addr[1].trim());
  }

  /**
   * Waits until every replica of {@code master} has received everything the master has written so
   * far (replication offsets), so a failover cannot lose what was written before this call.
   */
  public void awaitReplicated(Node master) {
    long offset = Long.parseLong(master.info("master_repl_offset", "INFO", "replication"));
    List<Node> replicas = replicasOf(master);
    if (replicas.isEmpty()) {
      throw new IllegalStateException(master + " has no live replica");
    }
    for (Node replica : replicas) {
      Eventually.await(replica + " caught up with " + master + " at offset " + offset, () -> {
        String seen = replica.info("slave_repl_offset", "INFO", "replication");
        return seen != null && Long.parseLong(seen) >= offset;
      });
    }
  }

  public List<Node> replicasOf(Node master) {
    return dataNodes.stream().filter(Node::alive).filter(n -> n != master)
        .filter(n -> "slave".equals(n.role()) && master.address().equals(
            n.info("master_host", "INFO", "replication") + ":" + n.info("master_port", "INFO", "replication")))
        .toList();
  }

  /** Cluster: every live node agrees the cluster is {@code ok} and every live replica is linked. */
  public void awaitClusterSettled() {
    Eventually.within(START_BOUND, "every live cluster node reports cluster_state:ok with all slots served", () ->
        dataNodes.stream().filter(Node::alive).allMatch(n -> "ok".equals(n.info("cluster_state", "CLUSTER", "INFO"))
            && "16384".equals(n.info("cluster_slots_ok", "CLUSTER", "INFO"))));
    Eventually.within(START_BOUND, "every live replica has its master link up", () ->
        dataNodes.stream().filter(Node::alive).filter(n -> "slave".equals(n.role()))
            .allMatch(n -> "up".equals(n.info("master_link_status", "INFO", "replication"))));
  }

  /** Sentinel: every live sentinel names {@code master}, sees its replicas, and knows the other sentinels. */
  public void awaitSentinelsSettled(Node master) {
    int replicas = (int) dataNodes.stream().filter(Node::alive).filter(n -> n != master).count();
    int others = (int) sentinels.stream().filter(Node::alive).count() - 1;
    Eventually.within(START_BOUND, "every sentinel agrees on " + master + ", " + replicas + " replica(s) and "
        + others + " other sentinel(s)", () -> sentinels.stream().filter(Node::alive).allMatch(s -> {
          String[] addr = s.cli("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).split("\n");
          if (addr.length < 2 || !master.address().equals(addr[0].trim() + ":" + addr[1].trim())) {
            return false;
          }
          Map<String, String> m = pairs(s.cli("SENTINEL", "MASTER", MASTER_NAME));
          return "master".equals(m.get("flags")) && Integer.parseInt(m.getOrDefault("num-slaves", "0")) >= replicas
              && Integer.parseInt(m.getOrDefault("num-other-sentinels", "0")) >= others
              && replicasLinked(s, replicas);
        }));
  }

  private boolean replicasLinked(Node sentinel, int expected) {
    String[] lines = sentinel.cli("SENTINEL", "REPLICAS", MASTER_NAME).split("\n");
    // flat name/value lines; count replicas that sentinel sees as healthy and in sync
    int linked = 0;
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].trim().equals("master-link-status") && lines[i + 1].trim().equals("ok")) {
        linked++;
      }
    }
    int down = 0;
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].trim().equals("flags") && lines[i + 1].contains("down")) {
        down++;
      }
    }
    return linked >= expected && down == 0;
  }

  public Node liveSentinel() {
    return sentinels.stream().filter(Node::alive).findFirst().orElseThrow();
  }

  private Node liveNode() {
    return dataNodes.stream().filter(Node::alive).findFirst().orElseThrow();
  }

  static Map<String, String> pairs(String flat) {
    String[] lines = flat.split("\n");
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < lines.length; i += 2) {
      out.put(lines[i].trim(), lines[i + 1].trim());
    }
    return out;
  }

  static String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return null;
  }

  private String cli(int port, String... command) {
    String out = cliQuiet(port, command);
    if (out == null) {
      throw new IllegalStateException("redis-cli -p " + port + " " + String.join(" ", command) + " did not answer");
    }
    return out;
  }

  /** {@code --cluster} subcommands name their nodes themselves. */
  private String cliAny(String... command) {
    String out = run(command);
    if (out == null) {
      throw new IllegalStateException("redis-cli " + String.join(" ", command) + " did not finish");
    }
    return out;
  }

  private String cliQuiet(int port, String... command) {
    List<String> args = new ArrayList<>(List.of("-h", "127.0.0.1", "-p", String.valueOf(port)));
    args.addAll(Arrays.asList(command));
    return run(args.toArray(String[]::new));
  }

  /** null when redis-cli did not finish in time. */
  private String run(String... args) {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-a", password, "--no-auth-warning"));
    cmd.addAll(Arrays.asList(args));
    Path out = null;
    try {
      // output to a file, not a pipe: a pipe read would block past the timeout if redis-cli hung
      out = Files.createTempFile(root, "cli", ".out");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return Files.readString(out, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("redis-cli is required for Redis topology tests", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      if (out != null) {
        out.toFile().delete();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Every process killed (SIGKILL), the directory removed; safe to call twice. */
  @Override
  public void close() {
    Stream.concat(sentinels.stream(), dataNodes.stream()).forEach(Node::kill);
    LIVE.remove(this);
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp dir is harmless
    }
  }

  @Override
  public String toString() {
    return kind + " " + dataNodes + (sentinels.isEmpty() ? "" : " sentinels " + sentinels);
  }
}
