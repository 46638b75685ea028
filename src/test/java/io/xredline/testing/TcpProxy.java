package io.xredline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay a test can cut (every connection dropped, new ones refused) and restore on
 * the same port: how the suite makes PostgreSQL or Redis "go away" without touching the real server.
 */
public final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;

  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.port = TestBackends.freePort();
    restore();
  }

  /** A relay to the server of {@code url} (postgresql://… or redis://…; no port: the scheme's default). */
  public static TcpProxy to(String url) {
    URI u = URI.create(url);
    return new TcpProxy(u.getHost(), u.getPort() >= 0 ? u.getPort() : "redis".equals(u.getScheme()) ? 6379 : 5432);
  }

  /** {@code url} with its host and port replaced by this relay's. */
  public String relayed(String url) {
    URI u = URI.create(url);
    return url.replace(u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort(), "127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  public synchronized void restore() {
    if (server != null) {
      return;
    }
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      server = s;
      Thread acceptor = new Thread(() -> accept(s), "tcp-proxy-accept-" + port);
      acceptor.setDaemon(true);
      acceptor.start();
    } catch (IOException e) {
      throw new IllegalStateException("proxy could not bind " + port, e);
    }
  }

  public synchronized void cut() {
    ServerSocket s = server;
    server = null;
    closeQuietly(s);
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket upstream;
        try {
          upstream = new Socket(targetHost, targetPort);
        } catch (IOException refused) {
          closeQuietly(client); // the client sees the target's refusal as a dropped connection
          continue;
        }
        // a connection accepted just before a cut() but registered after it would outlive the cut
        // (the client then still reached the server): registered only while this listener is the
        // current one, under cut()'s lock
        synchronized (this) {
          if (server != s) {
            closeQuietly(client);
            closeQuietly(upstream);
            continue;
          }
          sockets.add(client);
          sockets.add(upstream);
        }
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        // closed by cut(), or the target refused: the client simply sees a dropped connection
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // connection cut
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // already closed
      }
    }
  }

  @Override
  public void close() {
    cut();
  }
}
