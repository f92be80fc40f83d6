package io.imagefn.lambdahttp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Jobs behind a function URL: the front validates, writes the job and invokes the worker function asynchronously
 * through the AWS SDK's {@code LambdaClient} (a stand-in speaking the Lambda Invoke API's REST shape records it:
 * {@code X-Amz-Invocation-Type: Event}, only the job's address in the payload), then answers 202; nothing runs in the
 * front's own process, and nothing reaches the upstream.
 */
@QuarkusTest
@TestProfile(LambdaJobsTest.WithWorker.class)
class LambdaJobsTest {

    static final String WORKER = "imagefn-job-worker";
    static final String INVOKE = "/2015-03-31/functions/" + WORKER + "/invocations";

    /** The Lambda Invoke API on loopback: asynchronous invokes are answered 202, as Lambda does. */
    public static class LambdaApiStandIn implements QuarkusTestResourceLifecycleManager {
        static WireMockServer lambda;

        @Override
        public Map<String, String> start() {
            lambda = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
            lambda.start();
            lambda.stubFor(post(urlEqualTo(INVOKE)).willReturn(aResponse().withStatus(202)));
            // the SDK's default credentials chain reads these; the stand-in does not check signatures
            System.setProperty("aws.accessKeyId", "AKIATESTLAMBDA");
            System.setProperty("aws.secretAccessKey", "test-secret-access-key");
            return Map.of("imagefn.jobs.worker-function", WORKER, "imagefn.jobs.lambda-endpoint", lambda.baseUrl());
        }

        @Override
        public void stop() {
            lambda.stop();
        }
    }

    public static class WithWorker implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return new ArrayList<>(List.of(new TestResourceEntry(WireMockUpstream.class),
                    new TestResourceEntry(S3ProxyStorage.class), new TestResourceEntry(LambdaApiStandIn.class)));
        }
    }

    @InjectWireMock
    WireMockServer upstream;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonPath invoke(String event) {
        return given().contentType("application/json").body(event).when().post("/_lambda_").then().statusCode(200)
                .extract().jsonPath();
    }

    @Test
    void respondAsyncWritesTheJobInvokesTheWorkerAsAnEventAndAnswers202() throws Exception {
        upstream.resetAll();
        ObjectNode event = (ObjectNode) JSON.readTree(LambdaFunctionUrlTest.functionUrlEvent(
                "/v1/images/generations", "{\"prompt\":\"a pier\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}"));
        ((ObjectNode) event.get("headers")).put("prefer", "respond-async");
        JsonPath response = invoke(event.toString());

        assertEquals(202, response.getInt("statusCode"), response.prettify());
        JsonPath job = new JsonPath(response.getString("body"));
        String id = job.getString("id");
        assertEquals("queued", job.getString("status"));
        assertEquals("/v1/images/jobs/" + id, response.getString("headers.Location"));
        assertEquals("respond-async", response.getString("headers.Preference-Applied"));

        LambdaApiStandIn.lambda.verify(1, postRequestedFor(urlEqualTo(INVOKE))
                .withHeader("X-Amz-Invocation-Type", equalTo("Event"))
                .withRequestBody(matchingJsonPath("$.job_id", equalTo(id)))
                .withRequestBody(matchingJsonPath("$.token")));
        // the front paid nothing: the worker function will
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/images/generations")));

        ObjectNode poll = (ObjectNode) JSON.readTree(LambdaFunctionUrlTest.functionUrlEvent("/v1/images/jobs/" + id,
                null));
        ((ObjectNode) poll.get("requestContext").get("http")).put("method", "GET");
        JsonPath polled = invoke(poll.toString());
        assertEquals(200, polled.getInt("statusCode"), polled.prettify());
        assertEquals("queued", new JsonPath(polled.getString("body")).getString("status"));
    }
}
