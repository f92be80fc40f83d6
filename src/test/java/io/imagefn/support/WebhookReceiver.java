package io.imagefn.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver on loopback: records every delivery (headers and body) and answers what the test scripts (by
 * default 204), optionally with headers such as {@code Retry-After}.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One delivery as it arrived. */
    public record Delivery(String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** What to answer: a status and headers. */
    public record Reply(int status, Map<String, String> headers) {
        public static Reply of(int status) {
            return new Reply(status, Map.of());
        }
    }

    private final HttpServer server;
    private final Queue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
    private volatile Function<Integer, Reply> script = n -> Reply.of(204);

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Delivery d = new Delivery(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()),
                    new String(body, StandardCharsets.UTF_8));
            deliveries.add(d);
            Reply reply = script.apply(deliveries.size());
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(reply.status(), -1);
            exchange.close();
        });
        server.start();
    }

    /** Answers the {@code n}th delivery (from 1) as {@code script} says. */
    public void answer(Function<Integer, Reply> script) {
        this.script = script;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Delivery> deliveries() {
        return new ArrayList<>(deliveries);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
