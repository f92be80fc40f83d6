package io.imagefn.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver as slow ones are: it reads the delivery, answers 200 and then sends its body one byte every
 * {@code byteEveryMillis} for up to {@code forMillis} (or, with {@code headers} false, answers nothing at all for that
 * long). It records when each delivery arrived and when imagefn cut the connection ({@link System#nanoTime()}).
 */
public final class TricklingReceiver implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    private final List<Long> cuts = new CopyOnWriteArrayList<>();

    public TricklingReceiver(boolean headers, long byteEveryMillis, long forMillis) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            arrivals.add(System.nanoTime());
            long until = System.nanoTime() + forMillis * 1_000_000;
            try {
                if (!headers) {
                    sleep(forMillis);
                    exchange.sendResponseHeaders(204, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                while (System.nanoTime() < until) {
                    out.write('.');
                    out.flush();
                    sleep(byteEveryMillis);
                }
                out.close();
            } catch (IOException cut) {
                cuts.add(System.nanoTime());
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** When each delivery arrived. */
    public List<Long> arrivals() {
        return List.copyOf(arrivals);
    }

    /** When imagefn cut a trickling answer off (seen as a failed write). */
    public List<Long> cuts() {
        return List.copyOf(cuts);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
