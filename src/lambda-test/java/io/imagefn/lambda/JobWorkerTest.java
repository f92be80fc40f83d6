package io.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.imagefn.jobs.JobRecord;
import io.imagefn.jobs.JobStore;
import io.imagefn.support.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The jobs' worker on Lambda ({@code QUARKUS_FUNQY_EXPORT=run-job}), invoked with the event the function-URL front
 * sends: it claims the job with the event's token, runs it, and keeps the images; Lambda's retry of the same event
 * pays nothing again.
 */
@QuarkusTest
@TestProfile(JobWorkerTest.Profile.class)
class JobWorkerTest {

    public static class Profile extends LambdaInvoke.Export {
        public Profile() {
            super("run-job");
        }
    }

    static final String PATH = "/v1/images/generations";

    @io.imagefn.support.InjectWireMock
    com.github.tomakehurst.wiremock.WireMockServer upstream;

    @Inject
    JobStore jobs;

    @Inject
    io.imagefn.storage.ImageStore images;

    /** A job as the front writes it: queued, held by the token its event carries. */
    static String queuedJob(JobStore jobs, String token) {
        String id = "job_" + String.format("%012x", 0xFFFF_FFFF_FFFFL - System.currentTimeMillis())
                + UUID.randomUUID().toString().replaceAll("[^a-z]", "").concat("abcdefghijklmnop").substring(0, 16);
        long now = System.currentTimeMillis();
        assertTrue(jobs.create(new JobRecord(id, "anonymous", "generate", "dall-e-2", 1, JobRecord.QUEUED, now / 1000,
                null, null, Map.of("prompt", "a harbour", "model", "dall-e-2", "size", "256x256"), null, null, null,
                null, null, token, now + 60_000, false, null)));
        return id;
    }

    @Test
    void theWorkerRunsTheJobOnceEvenWhenLambdaDeliversTheEventTwice() {
        LambdaInvoke.upstreamAnswers(upstream, PATH);
        String id = queuedJob(jobs, "invoke-1");
        String event = "{\"job_id\":\"" + id + "\",\"owner\":\"anonymous\",\"token\":\"invoke-1\"}";

        Response first = LambdaInvoke.invoke(event);
        assertEquals(200, first.statusCode(), first.asString());
        assertEquals("completed", first.jsonPath().getString("status"));
        JobRecord done = jobs.read("anonymous", id).orElseThrow().job();
        assertEquals(JobRecord.COMPLETED, done.status());
        assertEquals(1, done.result().images().size());

        Response again = LambdaInvoke.invoke(event);
        assertEquals("completed", again.jsonPath().getString("status"));
        LambdaInvoke.upstreamCalls(upstream, PATH, 1);

        // an event whose token is not the job's holder, while the holder's lease runs, does nothing
        String held = queuedJob(jobs, "invoke-2");
        assertEquals("queued", LambdaInvoke.invoke("{\"job_id\":\"" + held + "\",\"owner\":\"anonymous\","
                + "\"token\":\"invoke-stale\"}").jsonPath().getString("status"));
        LambdaInvoke.upstreamCalls(upstream, PATH, 1);
        var image = done.result().images().get(0);
        assertArrayEquals(LambdaInvoke.PRODUCED, TestImages.fetch(images.sign(image.id(), image.key(),
                java.time.Duration.ofMinutes(5)).url().toString()).body());
    }
}
