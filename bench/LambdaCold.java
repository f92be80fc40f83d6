import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Lambda function's cold start as the managed Java runtime sees it: a minimal runtime API on 127.0.0.1 (the next
 * invocation, its response), the task's classpath run by AWS's Runtime Interface Client, and the time from the process
 * start to the first invocation's answer. Prints "ms,status,rssMb".
 *
 *   java bench/LambdaCold.java <unpacked task dir> <handler> <ric classpath> <event.json> [KEY=VALUE...]
 */
public class LambdaCold {

    public static void main(String[] args) throws Exception {
        Path task = Path.of(args[0]);
        String handler = args[1];
        String ric = args[2];
        byte[] event = Files.readAllBytes(Path.of(args[3]));
        CompletableFuture<String> answered = new CompletableFuture<>();
        HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        boolean[] served = { false };
        api.createContext("/2018-06-01/runtime/invocation/next", ex -> {
            synchronized (served) {
                if (served[0]) {
                    return; // one invocation: later polls wait until the process is stopped
                }
                served[0] = true;
            }
            ex.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", "bench-1");
            ex.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 900_000));
            ex.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:1:function:bench");
            ex.getResponseHeaders().add("Content-Type", "application/json");
            send(ex, 200, event);
        });
        api.createContext("/2018-06-01/runtime/invocation/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body = ex.getRequestBody().readAllBytes();
            send(ex, 202, new byte[0]);
            answered.complete((path.endsWith("/error") ? "error " : "") + new String(body, StandardCharsets.UTF_8));
        });
        api.createContext("/2018-06-01/runtime/init/error", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            send(ex, 202, new byte[0]);
            answered.complete("init error " + new String(body, StandardCharsets.UTF_8));
        });
        api.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        api.start();

        String classpath = task + File.pathSeparator + task.resolve("lib") + File.separator + "*" + File.pathSeparator + ric;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-XX:+UseSerialGC", "-cp", classpath,
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile("lambda-cold", ".log").toFile());
        pb.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + api.getAddress().getPort());
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().put("_HANDLER", handler);
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            pb.environment().put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        long t0 = System.nanoTime();
        Process process = pb.start();
        String answer;
        try {
            answer = answered.get(180, TimeUnit.SECONDS);
        } finally {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long rss = rssMb(process.pid());
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process.destroyForcibly();
            api.stop(0);
            System.out.println(ms + "," + (answered.isDone() && !answered.get().startsWith("error")
                    && !answered.get().startsWith("init error") ? "ok" : "failed") + "," + rss);
        }
        if (answer.startsWith("error") || answer.startsWith("init error")) {
            System.err.println(answer.length() > 400 ? answer.substring(0, 400) : answer);
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static long rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process has gone
        }
        return 0;
    }
}
