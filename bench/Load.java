import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded closed-loop load: CONCURRENCY workers each POST BODY to URL until REQUESTS have been sent (after WARMUP
 * unmeasured ones), then it stops by itself. Prints one CSV line: label, concurrency, requests, ok, errors, p50 ms,
 * p99 ms, mean ms, requests/s, peak RSS MB of PID (0 when PID is 0). HEADERS, optional, are "Name: value" pairs
 * separated by '|' (what a gateway peer needs).
 *
 * Usage: java Load.java LABEL URL BODY_FILE CONCURRENCY REQUESTS WARMUP PID [HEADERS]
 */
public class Load {

    public static void main(String[] args) throws Exception {
        String label = args[0];
        URI url = URI.create(args[1]);
        byte[] body = Files.readAllBytes(Path.of(args[2]));
        int concurrency = Integer.parseInt(args[3]);
        int requests = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        long pid = Long.parseLong(args[6]);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (args.length > 7 && !args[7].isBlank()) {
            for (String header : args[7].split("\\|")) {
                String[] nv = header.split(":", 2);
                builder.header(nv[0].trim(), nv[1].trim());
            }
        }
        HttpRequest request = builder.build();

        for (int i = 0; i < warmup; i++) {
            http.send(request, HttpResponse.BodyHandlers.discarding());
        }

        AtomicLong peakRss = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (pid > 0 && !Thread.currentThread().isInterrupted()) {
                peakRss.accumulateAndGet(rssKb(pid), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int w = 0; w < concurrency; w++) {
            Thread.ofPlatform().start(() -> {
                try {
                    while (next.getAndIncrement() < requests) {
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                            if (r.statusCode() == 200) {
                                latencies.add(System.nanoTime() - t0);
                            } else {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
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

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6;
        System.out.printf("%s,%d,%d,%d,%d,%.1f,%.1f,%.1f,%.1f,%d%n", label, concurrency, requests, sorted.size(),
                errors.get(), pct(sorted, 50), pct(sorted, 99), mean, sorted.size() / seconds, peakRss.get() / 1024);
    }

    private static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception gone) {
            // the process ended
        }
        return 0;
    }
}
