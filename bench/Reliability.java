import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A load test under injected rate limiting: CONCURRENCY workers send REQUESTS generations of N images each to APP
 * (running on its offline emulator), while every FAULT_EVERY_MS the emulator is told to answer the next FAULT_COUNT
 * upstream calls with 429 + Retry-After: 1. Every image of every 200 is then checked: its signed URL must open a PNG
 * (or its inline base64 must decode to one). Prints a Markdown table; exits 1 if any image was lost.
 *
 * Usage: java Reliability.java APP CONCURRENCY REQUESTS N FAULT_EVERY_MS FAULT_COUNT PID OUT_FILE
 */
public class Reliability {

    private static final Pattern URL = Pattern.compile("\"url\":\"([^\"]+)\"");
    private static final Pattern B64 = Pattern.compile("\"b64_json\":\"([^\"]+)\"");
    private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G' };

    public static void main(String[] args) throws Exception {
        String app = args[0];
        int concurrency = Integer.parseInt(args[1]);
        int requests = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        long faultEveryMs = Long.parseLong(args[4]);
        int faultCount = Integer.parseInt(args[5]);
        long pid = Long.parseLong(args[6]);
        Path out = Path.of(args[7]);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String body = "{\"prompt\":\"a lighthouse under load\",\"model\":\"dall-e-2\",\"size\":\"256x256\",\"n\":" + n + "}";
        double retriesBefore = metric(http, app, "ft_retry_retries_total", "");
        double limitedBefore = metric(http, app, "imagefn_upstream_attempts_seconds_count", "status=\"429\"");

        AtomicLong peakRss = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            long nextFault = 0;
            while (!Thread.currentThread().isInterrupted()) {
                peakRss.accumulateAndGet(rssKb(pid), Math::max);
                long now = System.currentTimeMillis();
                if (now >= nextFault) {
                    try {
                        post(http, app + "/emulator/faults",
                                "{\"status\":429,\"retry_after\":1,\"count\":" + faultCount + "}");
                    } catch (Exception e) {
                        // the next round tries again
                    }
                    nextFault = now + faultEveryMs;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        AtomicInteger next = new AtomicInteger();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger expected = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger inline = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int w = 0; w < concurrency; w++) {
            Thread.ofPlatform().start(() -> {
                try {
                    while (next.getAndIncrement() < requests) {
                        long t0 = System.nanoTime();
                        HttpResponse<String> r;
                        try {
                            r = http.send(HttpRequest.newBuilder(URI.create(app + "/v1/images/generations"))
                                    .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                        } catch (Exception e) {
                            statuses.computeIfAbsent(0, k -> new AtomicInteger()).incrementAndGet();
                            continue;
                        }
                        latencies.add((System.nanoTime() - t0) / 1_000_000);
                        statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        if (r.statusCode() == 200) {
                            expected.addAndGet(n);
                            delivered.addAndGet(verify(http, r.body(), inline));
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        double retries = metric(http, app, "ft_retry_retries_total", "") - retriesBefore;
        double limited = metric(http, app, "imagefn_upstream_attempts_seconds_count", "status=\"429\"") - limitedBefore;

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        int ok = statuses.getOrDefault(200, new AtomicInteger()).get();
        Map<Integer, Integer> other = new TreeMap<>();
        statuses.forEach((s, c) -> {
            if (s != 200) {
                other.put(s, c.get());
            }
        });
        int lost = expected.get() - delivered.get();
        String table = String.join("\n",
                "| requests | concurrency | images each | upstream 429s | retries | succeeded | refused (status: count) "
                        + "| p50 ms | p99 ms | req/s | peak RSS MB | images expected | delivered | inline | lost |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
                String.format("| %d | %d | %d | %d | %.0f | %d | %s | %d | %d | %.1f | %d | %d | %d | %d | %d |",
                        requests, concurrency, n, (int) limited, retries, ok, other.isEmpty() ? "-" : other.toString(),
                        pct(sorted, 50), pct(sorted, 99), requests / seconds, peakRss.get() / 1024, expected.get(),
                        delivered.get(), inline.get(), lost));
        System.out.println(table);
        Files.writeString(out, table + "\n", StandardCharsets.UTF_8);
        System.exit(lost == 0 ? 0 : 1);
    }

    /** How many of the response's images a caller can really get: URLs that open a PNG, base64 that decodes to one. */
    private static int verify(HttpClient http, String json, AtomicInteger inline) {
        int good = 0;
        Matcher u = URL.matcher(json);
        while (u.find()) {
            try {
                HttpResponse<byte[]> img = http.send(HttpRequest.newBuilder(URI.create(u.group(1).replace("\\u0026", "&")))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                if (img.statusCode() == 200 && isPng(img.body())) {
                    good++;
                }
            } catch (Exception e) {
                // counted as lost
            }
        }
        Matcher b = B64.matcher(json);
        while (b.find()) {
            if (!json.contains("\"url\"") && isPng(Base64.getDecoder().decode(b.group(1)))) {
                good++;
                inline.incrementAndGet();
            }
        }
        return good;
    }

    private static boolean isPng(byte[] bytes) {
        return bytes.length > 8 && bytes[0] == PNG[0] && bytes[1] == PNG[1] && bytes[2] == PNG[2] && bytes[3] == PNG[3];
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void post(HttpClient http, String url, String body) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
    }

    /** The sum of a Prometheus metric's samples whose labels contain {@code labelText}. */
    private static double metric(HttpClient http, String app, String name, String labelText) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(app + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+(\\S+).*$");
        double sum = 0;
        for (String line : text.split("\n")) {
            Matcher m = sample.matcher(line);
            if (m.matches() && (m.group(1) == null ? "" : m.group(1)).contains(labelText)) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (Exception e) {
            // the process is gone
        }
        return 0;
    }
}
