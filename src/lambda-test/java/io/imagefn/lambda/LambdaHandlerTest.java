package io.imagefn.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.function.ImagesApiError;
import io.imagefn.function.InvalidRequestError;
import io.imagefn.function.LambdaStreamHandler;
import io.imagefn.function.RateLimitedError;
import io.imagefn.function.ServiceError;
import io.imagefn.support.InjectWireMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The handler the JVM templates name, called as AWS's Java runtime calls it (the runtime reports the class of what it
 * throws as {@code errorType}): each class of failure has its own error type with the OpenAI error as its message,
 * and an event without {@code idempotency_key} is keyed by the invocation's request id, so Lambda's retry of a
 * failed asynchronous invocation (same request id) is answered without a second upstream call.
 */
@QuarkusTest
@TestProfile(LambdaGenerateTest.Profile.class)
class LambdaHandlerTest {

    private static final String PATH = "/v1/images/generations";
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer upstream;

    private static JsonNode invoke(String event, String requestId) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LambdaStreamHandler().handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out,
                context(requestId));
        return JSON.readTree(out.toByteArray());
    }

    private static <E extends ImagesApiError> JsonNode refused(Class<E> type, String event) throws Exception {
        E error = assertThrows(type, () -> invoke(event, UUID.randomUUID().toString()));
        return JSON.readTree(error.getMessage());
    }

    @Test
    void aBadRequestIsAnInvalidRequestErrorCarryingTheOpenAiError() throws Exception {
        JsonNode error = refused(InvalidRequestError.class, "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":2}");

        assertEquals(400, error.path("status").asInt());
        assertEquals("n", error.at("/error/param").asText());
        assertEquals("invalid_request_error", error.at("/error/type").asText());
    }

    @Test
    void aRateLimitedUpstreamIsARateLimitedError() throws Exception {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(429).withHeader("retry-after-ms",
                "10").withBody("{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"code\":"
                        + "\"rate_limit_exceeded\"}}")));

        JsonNode error = refused(RateLimitedError.class, "{\"prompt\":\"a kite\",\"model\":\"gpt-image-1\"}");

        assertEquals(429, error.path("status").asInt());
        assertEquals("rate_limit_exceeded", error.at("/error/code").asText());
    }

    @Test
    void aFailingUpstreamIsAServiceError() throws Exception {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(500)));

        JsonNode error = refused(ServiceError.class, "{\"prompt\":\"a kite\",\"model\":\"gpt-image-1\"}");

        assertEquals(502, error.path("status").asInt());
        assertEquals("api_error", error.at("/error/type").asText());
    }

    @Test
    void aRetriedInvocationWithTheSameRequestIdIsAnsweredWithoutASecondUpstreamCall() throws Exception {
        LambdaInvoke.upstreamAnswers(upstream, PATH);
        String requestId = UUID.randomUUID().toString();
        String event = "{\"prompt\":\"a lighthouse\",\"model\":\"gpt-image-1\"}";

        JsonNode first = invoke(event, requestId);
        JsonNode retry = invoke(event, requestId);
        JsonNode another = invoke(event, UUID.randomUUID().toString());

        assertEquals(first.at("/data/0/id").asText(), retry.at("/data/0/id").asText(), "the same image");
        assertNotEquals(first.at("/data/0/id").asText(), another.at("/data/0/id").asText());
        LambdaInvoke.upstreamCalls(upstream, PATH, 2);
    }

    @Test
    void theEventsOwnKeyWinsOverTheRequestId() throws Exception {
        LambdaInvoke.upstreamAnswers(upstream, PATH);
        String event = "{\"prompt\":\"a lighthouse\",\"model\":\"gpt-image-1\",\"idempotency_key\":\"order-"
                + UUID.randomUUID() + "\"}";

        JsonNode first = invoke(event, UUID.randomUUID().toString());
        JsonNode second = invoke(event, UUID.randomUUID().toString());

        assertEquals(first.at("/data/0/id").asText(), second.at("/data/0/id").asText());
        LambdaInvoke.upstreamCalls(upstream, PATH, 1);
    }

    /** What the Java runtime hands the handler; only the request id matters here. */
    static Context context(String requestId) {
        return new Context() {
            public String getAwsRequestId() {
                return requestId;
            }

            public String getLogGroupName() {
                return "/aws/lambda/imagefn-generate";
            }

            public String getLogStreamName() {
                return "test";
            }

            public String getFunctionName() {
                return "imagefn-generate";
            }

            public String getFunctionVersion() {
                return "1";
            }

            public String getInvokedFunctionArn() {
                return "arn:aws:lambda:us-east-1:123456789012:function:imagefn-generate:live";
            }

            public CognitoIdentity getIdentity() {
                return null;
            }

            public ClientContext getClientContext() {
                return null;
            }

            public int getRemainingTimeInMillis() {
                return 900_000;
            }

            public int getMemoryLimitInMB() {
                return 1024;
            }

            public LambdaLogger getLogger() {
                return null;
            }
        };
    }
}
