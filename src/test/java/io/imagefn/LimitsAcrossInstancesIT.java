package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.images.Sha256;
import io.imagefn.support.AtomicS3;
import io.imagefn.support.PackagedApp;
import io.imagefn.support.TestImages;
import io.restassured.path.json.JsonPath;

/**
 * Limits hold across instances that share nothing but the bucket, as Lambda and Knative start them: two packaged
 * instances on one bucket whose conditional writes are atomic ({@link AtomicS3}), a recording upstream counting what
 * is paid. Forty concurrent requests against a budget of five images, split across both, pay for exactly five; a rate
 * of seven images a minute holds to the image; the ledger's spend equals what the upstream was paid and no
 * reservation is left. An instance killed during its call leaves its reservation in place until the lease lapses,
 * never sooner, since the call could still be paid.
 */
class LimitsAcrossInstancesIT {

    private static final String KEY_SHARED = "imagefn-it-shared-key-01";
    private static final String KEY_RATE = "imagefn-it-rate-key-02";
    private static final String KEY_KILLED = "imagefn-it-killed-key-03";
    /** What one dall-e-2 256x256 image costs in the bundled price table. */
    private static final BigDecimal IMAGE = new BigDecimal("0.016");
    private static final int BUDGET_IMAGES = 5;
    private static final int RATE = 7;
    private static final Duration LEASE = Duration.ofSeconds(8);

    private static AtomicS3 s3;
    private static WireMockServer upstream;
    private static PackagedApp a;
    private static PackagedApp b;
    private static List<String> options;
    private static final ExecutorService CALLERS = Executors.newFixedThreadPool(40);

    @BeforeAll
    static void start() throws Exception {
        s3 = AtomicS3.start();
        upstream = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1").containerThreads(64));
        upstream.start();
        // a short pause per call, so that requests overlap as real ones do
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withFixedDelay(300).withBody("{\"created\":7,"
                        + "\"data\":[{\"b64_json\":\"" + TestImages.b64(TestImages.png(8, 8, Color.GREEN)) + "\"}]}")));
        Path keys = Path.of("target", "limits-it-keys.json").toAbsolutePath();
        Files.writeString(keys, "{\"keys\":["
                + "{\"name\":\"shared\",\"sha256\":\"" + Sha256.hex(KEY_SHARED) + "\",\"budget\":{\"usd\":"
                + IMAGE.multiply(BigDecimal.valueOf(BUDGET_IMAGES)) + ",\"period\":\"grant\"}},"
                + "{\"name\":\"rate\",\"sha256\":\"" + Sha256.hex(KEY_RATE) + "\",\"images_per_minute\":" + RATE + "},"
                + "{\"name\":\"killed\",\"sha256\":\"" + Sha256.hex(KEY_KILLED) + "\",\"budget\":{\"usd\":1,"
                + "\"period\":\"grant\"}}]}");
        options = new ArrayList<>(s3.jvmOptions());
        options.addAll(List.of("-Dimagefn.upstream.url=" + upstream.baseUrl() + "/v1",
                "-Dimagefn.upstream.api-key=sk-it-upstream", "-Dimagefn.limits.keys-file=" + keys,
                "-Dimagefn.upstream.timeout-seconds=5", "-Dimagefn.upstream.retry.max-retries=0",
                "-Dimagefn.limits.reservation-lease=" + LEASE.toSeconds() + "s"));
        a = PackagedApp.start(options);
        b = PackagedApp.start(options);
    }

    @AfterAll
    static void stop() throws Exception {
        CALLERS.shutdownNow();
        for (PackagedApp app : new PackagedApp[] { a, b }) {
            if (app != null) {
                app.close();
            }
        }
        upstream.stop();
        s3.close();
    }

    private static HttpResponse<String> generate(PackagedApp app, String key, String prompt) throws Exception {
        return app.send("POST", "/v1/images/generations", "{\"prompt\":\"" + prompt + "\",\"model\":\"dall-e-2\","
                + "\"size\":\"256x256\"}", Duration.ofSeconds(60), "Authorization", "Bearer " + key);
    }

    private static JsonPath usage(PackagedApp app, String key) throws Exception {
        HttpResponse<String> r = app.send("GET", "/v1/usage", null, Duration.ofSeconds(30), "Authorization",
                "Bearer " + key);
        assertEquals(200, r.statusCode(), r.body());
        return JsonPath.from(r.body());
    }

    private static int paidCalls(String prompt) {
        return upstream.findAll(postRequestedFor(urlEqualTo("/v1/images/generations"))
                .withRequestBody(containing(prompt))).size();
    }

    /** Sends {@code count} requests at once, alternating between the instances; their answers. */
    private static List<HttpResponse<String>> atOnce(int count, String key, String prompt) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PackagedApp app = i % 2 == 0 ? a : b;
            String p = prompt + " " + i;
            pending.add(CALLERS.submit(() -> {
                go.await();
                return generate(app, key, p);
            }));
        }
        go.countDown();
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (Future<HttpResponse<String>> f : pending) {
            answers.add(f.get(120, TimeUnit.SECONDS));
        }
        return answers;
    }

    private static String code(HttpResponse<String> r) {
        return JsonPath.from(r.body()).getString("error.code");
    }

    @Test
    void fortyConcurrentRequestsOnTwoInstancesPayForExactlyTheBudget() throws Exception {
        List<HttpResponse<String>> answers = atOnce(40, KEY_SHARED, "shared");
        long ok = answers.stream().filter(r -> r.statusCode() == 200).count();
        long quota = answers.stream().filter(r -> r.statusCode() == 429 && "insufficient_quota".equals(code(r)))
                .count();
        System.out.printf("measured: 40 concurrent requests on two instances, a budget of %d images: %d paid, %d "
                + "refused insufficient_quota%n", BUDGET_IMAGES, ok, quota);
        assertEquals(BUDGET_IMAGES, ok, "paid for: the whole budget and no more");
        assertEquals(40 - BUDGET_IMAGES, quota, "every other request refused for its budget");
        assertEquals(ok, paidCalls("shared"), "the upstream was called once for each request paid for");

        for (PackagedApp app : new PackagedApp[] { a, b }) {
            JsonPath usage = usage(app, KEY_SHARED);
            assertEquals(0, new BigDecimal(usage.getString("budget.spent_usd")).compareTo(IMAGE.multiply(
                    BigDecimal.valueOf(paidCalls("shared")))), "the ledger's spend is what was paid: " + usage.prettify());
            assertEquals(0, usage.getInt("budget.reservations"), "no reservation is left: " + usage.prettify());
            assertEquals(0, new BigDecimal(usage.getString("budget.reserved_usd")).signum());
        }
    }

    @Test
    void aRateOfSevenImagesAMinuteHoldsAcrossTwoInstancesToTheImage() throws Exception {
        List<HttpResponse<String>> answers = atOnce(20, KEY_RATE, "rate");
        long ok = answers.stream().filter(r -> r.statusCode() == 200).count();
        List<HttpResponse<String>> refused = answers.stream().filter(r -> r.statusCode() == 429).toList();
        assertEquals(RATE, ok, "admitted within the minute");
        assertEquals(20 - RATE, refused.size());
        for (HttpResponse<String> r : refused) {
            assertEquals("rate_limit_exceeded", code(r), r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent(), "Retry-After");
            assertTrue(r.headers().firstValue("retry-after-ms").isPresent(), "retry-after-ms");
            assertEquals("0", r.headers().firstValue("x-ratelimit-remaining-images").orElse(null));
        }
        assertEquals(RATE, paidCalls("rate"));
    }

    @Test
    void aKilledInstancesReservationIsReleasedAfterItsLeaseAndNotBefore() throws Exception {
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).withRequestBody(containing("killed"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withFixedDelay(3000).withBody("{\"created\":7,\"data\":[{\"b64_json\":\""
                                + TestImages.b64(TestImages.png(8, 8, Color.RED)) + "\"}]}")));
        PackagedApp doomed = PackagedApp.start(options);
        try {
            CALLERS.submit(() -> generate(doomed, KEY_KILLED, "killed"));
            JsonPath held = null;
            for (int i = 0; i < 200; i++) {
                held = usage(a, KEY_KILLED);
                if (held.getInt("budget.reservations") == 1) {
                    break;
                }
                Thread.sleep(25);
            }
            assertNotNull(held);
            assertEquals(1, held.getInt("budget.reservations"), "the call's reservation is in the ledger");
            long reservedAt = System.nanoTime();
            doomed.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);

            // the call may still be paid while the lease runs: the reservation is kept, seen from the other instance
            Thread.sleep(LEASE.toMillis() / 2);
            JsonPath during = usage(a, KEY_KILLED);
            assertEquals(1, during.getInt("budget.reservations"), "released before its lease: " + during.prettify());
            assertEquals(0, new BigDecimal(during.getString("budget.reserved_usd")).compareTo(IMAGE));

            long leaseEnds = reservedAt + LEASE.toNanos() + TimeUnit.SECONDS.toNanos(1);
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(leaseEnds - System.nanoTime())));
            JsonPath after = usage(b, KEY_KILLED);
            assertEquals(0, after.getInt("budget.reservations"), "kept after its lease: " + after.prettify());
            assertEquals(0, new BigDecimal(after.getString("budget.reserved_usd")).signum());
        } finally {
            doomed.process().destroyForcibly();
        }
    }
}
