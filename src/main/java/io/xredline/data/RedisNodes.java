package io.xredline.data;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.xredline.config.AppConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The servers behind a sentinel or cluster configuration, each reachable on its own: health and
 * metrics report per node, which the routing client cannot (it picks the node per key). The
 * topology is asked of the configured endpoints and of the nodes seen last time, one after the
 * other, so one dead node never hides the others. Nodes are addressed with the scheme and
 * credentials of the endpoint they were discovered through, as the routing client does.
 */
public final class RedisNodes {
  public enum Role { MASTER, REPLICA, SENTINEL }

  /**
   * {@code address} is {@code host:port}; {@code failed} is the topology's own verdict (cluster
   * {@code fail} flag, sentinel {@code s_down}/{@code o_down}); {@code slots} is what a cluster master serves.
   */
  public record Node(String address, String url, Role role, boolean failed, String slots) {
    public boolean servesSlots() {
      return slots != null && !slots.isEmpty();
    }
  }

  /** {@code clusterState} is {@code ok}/{@code fail} in cluster mode, null otherwise. */
  public record Topology(List<Node> nodes, String clusterState) {
    public List<Node> dataNodes() {
      return nodes.stream().filter(n -> n.role() != Role.SENTINEL).toList();
    }
  }

  private final Vertx vertx;
  private final AppConfig.Redis config;
  private final long timeoutMs;
  private final Map<String, Redis> clients = new ConcurrentHashMap<>();
  private volatile List<String> lastSeen = List.of();

  /** {@code timeoutMs} bounds each single call, so a node that does not answer is reported, not waited for. */
  public RedisNodes(Vertx vertx, AppConfig.Redis config, long timeoutMs) {
    this.vertx = vertx;
    this.config = config;
    this.timeoutMs = timeoutMs;
  }

  public Future<Topology> discover() {
    List<String> candidates = new ArrayList<>(new LinkedHashSet<>(concat(config.endpoints(), lastSeen)));
    Future<Topology> topology = switch (config.mode()) {
      case CLUSTER -> firstAnswer(candidates, 0, this::cluster);
      case SENTINEL -> firstAnswer(config.endpoints(), 0, this::sentinel);
      case STANDALONE -> Future.failedFuture(new IllegalStateException("standalone Redis has no topology"));
    };
    return topology.onSuccess(t -> lastSeen = t.nodes().stream().filter(n -> n.role() != Role.SENTINEL)
        .map(Node::url).toList());
  }

  /** One command on one node, bounded by the timeout. */
  public Future<Response> send(String url, Request request) {
    Redis client = clients.computeIfAbsent(url, u -> RedisClients.node(vertx, config, u));
    return client.send(request).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Clients of nodes that left the topology are closed; the others are kept for the next round. */
  public void retain(Topology topology) {
    Set<String> keep = new LinkedHashSet<>(config.endpoints());
    topology.nodes().forEach(n -> keep.add(n.url()));
    clients.keySet().removeIf(url -> {
      if (keep.contains(url)) {
        return false;
      }
      Redis client = clients.get(url);
      if (client != null) {
        client.close();
      }
      return true;
    });
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    clients.values().forEach(c -> closing.add(c.close()));
    clients.clear();
    return Future.join(closing).mapEmpty();
  }

  private interface Ask {
    Future<Topology> ask(String url);
  }

  private Future<Topology> firstAnswer(List<String> urls, int index, Ask ask) {
    if (index >= urls.size()) {
      return Future.failedFuture(new IllegalStateException("no Redis endpoint answered"));
    }
    return ask.ask(urls.get(index)).recover(e -> index + 1 < urls.size()
        ? firstAnswer(urls, index + 1, ask)
        : Future.failedFuture(new IllegalStateException("no Redis endpoint answered: " + e.getMessage())));
  }

  private Future<Topology> cluster(String url) {
    Future<Response> nodes = send(url, Request.cmd(Command.CLUSTER).arg("NODES"));
    Future<Response> info = send(url, Request.cmd(Command.CLUSTER).arg("INFO"));
    return Future.all(nodes, info).map(all -> new Topology(parseClusterNodes(url, nodes.result().toString()),
        infoField(info.result().toString(), "cluster_state")));
  }

  /** {@code <id> <ip:port@bus[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>…}, one node per line. */
  static List<Node> parseClusterNodes(String via, String text) {
    List<Node> out = new ArrayList<>();
    for (String line : text.split("\r?\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 8) {
        continue;
      }
      Set<String> flags = Set.of(f[2].split(","));
      if (flags.contains("noaddr") || flags.contains("handshake")) {
        continue;
      }
      String address = f[1].split("[@,]")[0];
      if (address.startsWith(":")) {
        // a node that does not know its own address yet answers with the port only
        address = URI.create(via).getHost() + address;
      }
      List<String> slots = new ArrayList<>();
      for (int i = 8; i < f.length; i++) {
        if (!f[i].startsWith("[")) {
          slots.add(f[i]);
        }
      }
      Role role = flags.contains("master") ? Role.MASTER : Role.REPLICA;
      out.add(new Node(address, nodeUrl(via, address), role, flags.contains("fail"), String.join(",", slots)));
    }
    return out;
  }

  private Future<Topology> sentinel(String url) {
    String name = config.masterName();
    Future<Response> master = send(url, Request.cmd(Command.SENTINEL).arg("MASTER").arg(name));
    Future<Response> replicas = send(url, Request.cmd(Command.SENTINEL).arg("REPLICAS").arg(name));
    Future<Response> sentinels = send(url, Request.cmd(Command.SENTINEL).arg("SENTINELS").arg(name));
    return Future.all(master, replicas, sentinels).map(all -> {
      Map<String, Node> nodes = new LinkedHashMap<>();
      addSentinelNode(nodes, url, master.result(), Role.MASTER);
      for (Response replica : replicas.result()) {
        addSentinelNode(nodes, url, replica, Role.REPLICA);
      }
      for (String endpoint : config.endpoints()) {
        String address = address(endpoint);
        nodes.putIfAbsent(address, new Node(address, endpoint, Role.SENTINEL, false, null));
      }
      for (Response other : sentinels.result()) {
        addSentinelNode(nodes, url, other, Role.SENTINEL);
      }
      return new Topology(List.copyOf(nodes.values()), null);
    });
  }

  private static void addSentinelNode(Map<String, Node> nodes, String via, Response entry, Role role) {
    String ip = entry.get("ip").toString();
    String address = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + entry.get("port").toString();
    String flags = entry.containsKey("flags") ? entry.get("flags").toString() : "";
    boolean failed = flags.contains("s_down") || flags.contains("o_down") || flags.contains("disconnected");
    nodes.putIfAbsent(address, new Node(address, nodeUrl(via, address), role, failed, null));
  }

  /** The node's URL: host and port from the topology, scheme, credentials and database from the endpoint asked. */
  static String nodeUrl(String via, String address) {
    URI uri = URI.create(via);
    String userInfo = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@";
    return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + userInfo + address;
  }

  static String address(String url) {
    URI uri = URI.create(url);
    return uri.getHost() + ":" + uri.getPort();
  }

  /** A field of an INFO-style reply ({@code name:value} lines). */
  public static String infoField(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    return null;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
