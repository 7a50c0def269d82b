package org.twinmatch.osnode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Starts one real OpenSearch node with the k-NN plugin, bound to 127.0.0.1 only.
 *
 * Usage: Main DATA_DIR [HTTP_PORT]. A port of 0 (the default) picks a free one. When the
 * cluster is yellow or green it prints "READY http://127.0.0.1:PORT" on stdout; a failed start
 * prints the whole cause chain on stderr and exits 1. The node stops on SIGTERM or Ctrl-C; with
 * -Dosnode.lifeline=stdin (the test suite) also when stdin closes, so it never outlives the
 * process that started it.
 */
public final class Main {
    private static final String KNN_PLUGIN = "org.opensearch.knn.plugin.KNNPlugin";

    private Main() {
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public static void main(final String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Main DATA_DIR [HTTP_PORT]");
            System.exit(2);
        }
        final Path base = Path.of(args[0]).toAbsolutePath();
        final int requested = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        final int http = requested > 0 ? requested : freePort();
        final int transport = freePort();
        final OpenSearchRunner runner = new OpenSearchRunner();
        final CountDownLatch stop = new CountDownLatch(1);
        try {
            runner.onBuild((number, settings) -> {
                settings.put("network.host", "127.0.0.1");
                settings.put("http.port", String.valueOf(http));
                settings.put("transport.port", String.valueOf(transport));
                settings.put("discovery.type", "single-node");
                // Tests fill the disk of a shared machine with nothing; never go read-only.
                settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
                settings.put("action.auto_create_index", false);
            }).build(OpenSearchRunner.newConfigs().basePath(base.toString()).numOfNode(1)
                    .clusterName("twinmatch-test").pluginTypes(KNN_PLUGIN).disableESLogger());
            runner.ensureYellow();
        } catch (final Throwable t) {
            System.err.println("OpenSearch node failed to start:");
            for (Throwable c = t; c != null; c = c.getCause()) {
                System.err.println("  caused by " + c);
            }
            t.printStackTrace();
            System.exit(1);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (final IOException e) {
                e.printStackTrace();
            }
        }));
        System.out.println("READY http://127.0.0.1:" + http);
        System.out.flush();
        if (!"stdin".equals(System.getProperty("osnode.lifeline"))) {
            Thread.currentThread().join();  // until SIGTERM or Ctrl-C
        }
        final Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // drain: the parent keeps stdin open while it wants the node
                }
            } catch (final IOException e) {
                // a closed pipe means the parent has gone
            }
            stop.countDown();
        }, "stdin-watch");
        stdin.setDaemon(true);
        stdin.start();
        stop.await();
        System.exit(0);
    }
}
