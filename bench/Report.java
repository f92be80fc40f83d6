import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns bench/results/raw.csv into the Markdown report. Usage: java Report.java RAW_CSV LATENCY_MS MACHINE
 */
public class Report {

    record Load(String size, String target, int c, double p50, double p99, double rps, long rss) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, List<long[]>> cold = new LinkedHashMap<>();
        List<Load> loads = new ArrayList<>();
        Map<String, Load> puts = new LinkedHashMap<>();
        List<Load> scales = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] f = line.split(",");
            switch (f[0]) {
                case "cold" -> cold.computeIfAbsent(f[1], k -> new ArrayList<>())
                        .add(new long[] { Long.parseLong(f[3]), Long.parseLong(f[4]) });
                case "load", "scale", "put" -> {
                    Load l = new Load(f[1], f[2], Integer.parseInt(f[3]), Double.parseDouble(f[7]),
                            Double.parseDouble(f[8]), Double.parseDouble(f[10]), Long.parseLong(f[11]));
                    (f[0].equals("load") ? loads : f[0].equals("scale") ? scales : new ArrayList<Load>()).add(l);
                    if (f[0].equals("put") && Integer.parseInt(f[5]) > 0) {
                        puts.put(f[1], l);
                    }
                }
                default -> {
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# imagefn benchmark, ").append(LocalDate.now()).append("\n\nMachine: ").append(args[2])
                .append(". Stub upstream latency: ").append(args[1]).append(" ms. All on 127.0.0.1; figures move with ")
                .append("the machine's load, the ratios are what to compare.\n\n");

        md.append("## Cold start to the first successful `generate`\n\n")
                .append("| variant | runs | min ms | median ms | max ms | median vs plain JVM | RSS after first request MB |\n")
                .append("|---|---|---|---|---|---|---|\n");
        double base = 0;
        for (var e : cold.entrySet()) {
            List<Long> ms = e.getValue().stream().map(a -> a[0]).sorted().toList();
            List<Long> rss = e.getValue().stream().map(a -> a[1]).sorted().toList();
            double median = ms.get(ms.size() / 2);
            if (base == 0) {
                base = median;
            }
            md.append(String.format("| %s | %d | %d | %.0f | %d | %.2f× | %d |%n", e.getKey(), ms.size(), ms.get(0),
                    median, ms.get(ms.size() - 1), median / base, rss.get(rss.size() / 2)));
        }
        md.append("| native | – | – | – | – | – | not built here: no GraalVM/Mandrel on this machine |\n\n");

        md.append("## Added latency and throughput\n\n")
                .append("`direct` calls the stub upstream itself; `generate` and `v1` go through imagefn (validation, ")
                .append("REST client, decode, S3 PUT + presign, response). Added = through imagefn minus direct, at ")
                .append("the same percentile. Split of the added p50: storage = PUT + presign of the same bytes alone; ")
                .append("own work = the rest.\n\n")
                .append("| image | conns | door | p50 ms | p99 ms | added p50 | added p99 | storage p50 | own work p50 | req/s | vs direct req/s | peak RSS MB |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Load l : loads) {
            Load direct = loads.stream().filter(d -> d.target().equals("direct") && d.size().equals(l.size())
                    && d.c() == l.c()).findFirst().orElse(l);
            Load put = puts.get(l.size());
            boolean isDirect = l.target().equals("direct");
            double addedP50 = l.p50() - direct.p50();
            md.append(String.format("| %s | %d | %s | %.1f | %.1f | %s | %s | %s | %s | %.1f | %s | %s |%n",
                    label(l.size()), l.c(), l.target(), l.p50(), l.p99(),
                    isDirect ? "–" : String.format("%.1f", addedP50),
                    isDirect ? "–" : String.format("%.1f", l.p99() - direct.p99()),
                    isDirect || put == null ? "–" : String.format("%.1f", put.p50()),
                    isDirect || put == null ? "–" : String.format("%.1f", addedP50 - put.p50()),
                    l.rps(), isDirect ? "1.00×" : String.format("%.2f×", l.rps() / direct.rps()),
                    isDirect ? "–" : Long.toString(l.rss())));
        }

        md.append("\n## Scaling with `n` and image size (`generate`, 4 connections)\n\n")
                .append("| image | n | p50 ms | p99 ms | req/s | images/s | peak RSS MB |\n|---|---|---|---|---|---|---|\n");
        for (Load l : scales) {
            int n = Integer.parseInt(l.target().substring(2));
            md.append(String.format("| %s | %d | %.1f | %.1f | %.2f | %.1f | %d |%n", label(l.size()), n, l.p50(),
                    l.p99(), l.rps(), l.rps() * n, l.rss()));
        }
        System.out.print(md);
    }

    private static String label(String size) {
        return switch (size) {
            case "16x16" -> "1 KB";
            case "820x820" -> "2 MB";
            default -> size + " (noise PNG)";
        };
    }
}
