import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * COUNT requests at once, each POSTing BODY_FILE (a large JSON body) to URL; waits for every answer. Prints one CSV
 * line: label, count, body MB, answered, statuses (status:count separated by ' '), peak RSS MB of PID.
 *
 * Usage: java Bodies.java LABEL URL BODY_FILE COUNT PID
 */
public class Bodies {

    public static void main(String[] args) throws Exception {
        String label = args[0];
        URI url = URI.create(args[1]);
        Path body = Path.of(args[2]);
        int count = Integer.parseInt(args[3]);
        long pid = Long.parseLong(args[4]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        AtomicLong peak = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(rssKb(pid), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Map<String, Integer> statuses = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            Thread.ofPlatform().start(() -> {
                String outcome;
                try {
                    go.await();
                    // streamed from the file: the load generator does not hold COUNT copies itself
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(120))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofFile(body)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    outcome = Integer.toString(r.statusCode());
                } catch (Exception e) {
                    outcome = e.getClass().getSimpleName();
                }
                statuses.merge(outcome, 1, Integer::sum);
                done.countDown();
            });
        }
        go.countDown();
        done.await();
        sampler.interrupt();
        int answered = statuses.entrySet().stream().filter(e -> e.getKey().matches("\\d+"))
                .mapToInt(Map.Entry::getValue).sum();
        StringBuilder s = new StringBuilder();
        new TreeMap<>(statuses).forEach((k, v) -> s.append(s.isEmpty() ? "" : " ").append(k).append(':').append(v));
        System.out.printf("%s,%d,%d,%d,%s,%d%n", label, count, body.toFile().length() / (1024 * 1024), answered, s,
                peak.get() / 1024);
    }

    private static long rssKb(long pid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
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
