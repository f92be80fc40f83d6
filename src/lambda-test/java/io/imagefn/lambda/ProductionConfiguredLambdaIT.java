package io.imagefn.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;

import io.imagefn.support.LambdaTask;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.WireMockUpstream;

/**
 * The packaged Lambda invoke build, run as the managed Java runtime runs it ({@link LambdaTask}) with the handler and
 * environment deploy/aws/template.yaml gives it: the result opens from the configured bucket, and a refusal's
 * {@code errorType} is imagefn's own class.
 */
class ProductionConfiguredLambdaIT {

    private static final byte[] PRODUCED = TestImages.png(40, 40, Color.YELLOW);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** As deploy/aws/template.yaml names it for the invoke functions. */
    private static final String HANDLER = "io.imagefn.function.LambdaStreamHandler::handleRequest";

    private static LambdaTask function;

    @BeforeAll
    static void deploy() throws Exception {
        function = new LambdaTask(HANDLER, Map.of("QUARKUS_FUNQY_EXPORT", "generate")).answeringGenerationsWith(PRODUCED);
    }

    @AfterAll
    static void undeploy() throws Exception {
        function.close();
    }

    @Test
    void anInvocationIsAnsweredWithAnImageInTheConfiguredBucket() throws Exception {
        HttpResponse<String> r = function.invoke("{\"prompt\":\"a lighthouse\",\"model\":\"gpt-image-1\"}");

        assertEquals(200, r.statusCode(), r.body() + "\n" + function.log());
        String url = JSON.readTree(r.body()).at("/data/0/url").asText();
        assertTrue(url.contains("/" + S3ProxyStorage.BUCKET + "/"), url);
        assertArrayEquals(PRODUCED, TestImages.fetch(url).body());
        function.upstream.verifyThat(postRequestedFor(urlEqualTo("/v1/images/generations"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + WireMockUpstream.API_KEY)));
    }

    /** The runtime reports the class the handler threw as errorType, and its message, the OpenAI error. */
    @Test
    void aRefusalFailsTheInvocationWithImagefnsErrorType() throws Exception {
        HttpResponse<String> r = function.invoke("{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":2}");

        assertTrue(r.statusCode() >= 400, r.statusCode() + " " + r.body());
        JsonNode error = JSON.readTree(r.body());
        assertEquals("io.imagefn.function.InvalidRequestError", error.path("errorType").asText(), r.body());
        assertEquals("n", JSON.readTree(error.path("errorMessage").asText()).at("/error/param").asText(), r.body());
    }
}
