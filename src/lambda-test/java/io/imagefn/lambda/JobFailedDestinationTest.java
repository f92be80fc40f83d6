package io.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.imagefn.jobs.JobRecord;
import io.imagefn.jobs.JobStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The worker's OnFailure destination ({@code QUARKUS_FUNQY_EXPORT=job-failed}): when Lambda gives up on a job's event
 * (retries exhausted, the event too old), the job is marked failed with a reason, so polling ends; nothing is sent to
 * the upstream.
 */
@QuarkusTest
@TestProfile(JobFailedDestinationTest.Profile.class)
class JobFailedDestinationTest {

    public static class Profile extends LambdaInvoke.Export {
        public Profile() {
            super("job-failed");
        }
    }

    @io.imagefn.support.InjectWireMock
    com.github.tomakehurst.wiremock.WireMockServer upstream;

    @Inject
    JobStore jobs;

    @Test
    void lambdasGivingUpOnTheEventMarksTheJobFailed() {
        LambdaInvoke.upstreamAnswers(upstream, JobWorkerTest.PATH);
        String id = JobWorkerTest.queuedJob(jobs, "invoke-9");
        // the record Lambda sends an OnFailure destination (docs: "Invocation record" of asynchronous invocation)
        String record = "{\"version\":\"1.0\",\"timestamp\":\"2026-12-03T15:00:00.000Z\",\"requestContext\":{"
                + "\"requestId\":\"e4b46cbf-b738-xmpl-8880-a18cdf61200e\",\"functionArn\":\"arn:aws:lambda:us-east-1:"
                + "123456789012:function:imagefn-job-worker:$LATEST\",\"condition\":\"RetriesExhausted\","
                + "\"approximateInvokeCount\":3},\"requestPayload\":{\"job_id\":\"" + id + "\",\"owner\":\"anonymous\","
                + "\"token\":\"invoke-9\"},\"responseContext\":{\"statusCode\":200,\"executedVersion\":\"$LATEST\","
                + "\"functionError\":\"Unhandled\"},\"responsePayload\":{\"errorMessage\":\"Task timed out\"}}";

        Response answer = LambdaInvoke.invoke(record);

        assertEquals(200, answer.statusCode(), answer.asString());
        JobRecord failed = jobs.read("anonymous", id).orElseThrow().job();
        assertEquals(JobRecord.FAILED, failed.status());
        assertEquals("job_worker_failed", failed.error().code());
        assertTrue(failed.error().message().contains("RetriesExhausted after 3 invocations"), failed.error().message());
        LambdaInvoke.upstreamCalls(upstream, JobWorkerTest.PATH, 0);
    }
}
