import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fixed-latency OpenAI-compatible upstream for benchmarks: POST /v1/images/generations answers after LATENCY_MS
 * with n base64 PNGs. Image bytes are noise, so PNG cannot compress them: "WxH" in the request's size gives an image
 * of that size; size "tiny" gives about 1 KB, "2mb" about 2 MB of PNG.
 *
 * Usage: java StubUpstream.java PORT LATENCY_MS [SIZE]; SIZE, when given, is the size of every image whatever the
 * request asks (a priced model's request with a tiny image: the limits bench).
 */
public class StubUpstream {

    private static final Map<String, String> IMAGES = new ConcurrentHashMap<>();
    private static String fixedSize;
    private static final Pattern N = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");
    private static final Pattern SIZE = Pattern.compile("\"size\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long latency = Long.parseLong(args[1]);
        fixedSize = args.length > 2 ? args[2] : null;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/images/generations", exchange -> answer(exchange, latency));
        server.start();
        System.out.println("stub upstream on " + port + " with " + latency + " ms latency");
    }

    private static void answer(HttpExchange exchange, long latency) throws IOException {
        String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher n = N.matcher(request);
        Matcher size = SIZE.matcher(request);
        int count = n.find() ? Integer.parseInt(n.group(1)) : 1;
        String asked = fixedSize != null ? fixedSize : size.find() ? size.group(1) : "tiny";
        String b64 = IMAGES.computeIfAbsent(asked, StubUpstream::image);
        try {
            Thread.sleep(latency);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StringBuilder body = new StringBuilder("{\"created\":1,\"data\":[");
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append("{\"b64_json\":\"").append(b64).append("\"}");
        }
        body.append("],\"output_format\":\"png\",\"usage\":{\"total_tokens\":10,\"input_tokens\":4,\"output_tokens\":6,"
                + "\"input_tokens_details\":{\"text_tokens\":4,\"image_tokens\":0}}}");
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String image(String size) {
        int[] wh = switch (size) {
            case "tiny" -> new int[] { 16, 16 };
            case "2mb" -> new int[] { 820, 820 };
            default -> {
                String[] p = size.split("x");
                yield p.length == 2 ? new int[] { Integer.parseInt(p[0]), Integer.parseInt(p[1]) } : new int[] { 16, 16 };
            }
        };
        BufferedImage image = new BufferedImage(wh[0], wh[1], BufferedImage.TYPE_INT_RGB);
        Random random = new Random(42);
        for (int y = 0; y < wh[1]; y++) {
            for (int x = 0; x < wh[0]; x++) {
                image.setRGB(x, y, random.nextInt(0xffffff));
            }
        }
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return Base64.getEncoder().encodeToString(out.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
