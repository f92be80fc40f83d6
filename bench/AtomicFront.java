import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A front for the bench's S3 server that resolves conditional writes as AWS S3 does, one at a time per object:
 * S3Proxy checks If-Match / If-None-Match and then writes without a lock, so two instances can both win a
 * compare-and-set on it, and a ledger benchmarked there would lose updates (the test suite's AtomicS3 is the same
 * idea on WireMock). Everything is passed on with its headers as signed (SigV4 covers the Host header, kept as the
 * client sent it). Needs -Djdk.httpclient.allowRestrictedHeaders=host.
 *
 * Usage: java -Djdk.httpclient.allowRestrictedHeaders=host AtomicFront.java PORT S3_PORT
 */
public class AtomicFront {

    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive");
    private static final Map<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        URI store = URI.create("http://127.0.0.1:" + args[1]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try {
                forward(http, store, exchange);
            } catch (Exception e) {
                exchange.sendResponseHeaders(502, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        System.out.println("atomic front on " + port + " for " + store);
    }

    private static void forward(HttpClient http, URI store, HttpExchange exchange) throws Exception {
        String method = exchange.getRequestMethod();
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(store.resolve(exchange.getRequestURI().toString()))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        boolean conditional = false;
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            String name = h.getKey().toLowerCase();
            conditional |= name.equals("if-match") || name.equals("if-none-match");
            if (!NOT_FORWARDED.contains(name)) {
                for (String v : h.getValue()) {
                    request.header(h.getKey(), v);
                }
            }
        }
        boolean write = conditional && (method.equals("PUT") || method.equals("DELETE"));
        ReentrantLock lock = write ? LOCKS.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new ReentrantLock())
                : null;
        HttpResponse<byte[]> answer;
        if (lock != null) {
            lock.lock();
        }
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
        answer.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase()) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        byte[] bytes = answer.body();
        boolean empty = method.equals("HEAD") || answer.statusCode() == 204 || answer.statusCode() == 304;
        if (method.equals("HEAD")) {
            answer.headers().firstValue("content-length").ifPresent(v -> exchange.getResponseHeaders().set(
                    "Content-Length", v));
        }
        exchange.sendResponseHeaders(answer.statusCode(), empty ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (!empty && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
