package io.imagefn.lambdahttp;

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

import io.imagefn.support.LambdaTask;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;

/**
 * The packaged Lambda function-URL build, run as the managed Java runtime runs it ({@link LambdaTask}) with the handler
 * deploy/aws/template.yaml names: function-URL events (payload 2.0) get real HTTP statuses, images from the
 * configured bucket.
 */
class ProductionConfiguredFunctionUrlIT {

    private static final byte[] PRODUCED = TestImages.png(40, 40, Color.MAGENTA);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

    private static LambdaTask function;

    @BeforeAll
    static void deploy() throws Exception {
        function = new LambdaTask(HANDLER, Map.of()).answeringGenerationsWith(PRODUCED);
    }

    @AfterAll
    static void undeploy() throws Exception {
        function.close();
    }

    @Test
    void aFunctionUrlEventGetsAnImageFromTheConfiguredBucket() throws Exception {
        HttpResponse<String> r = function.invoke(LambdaFunctionUrlTest.functionUrlEvent("/v1/images/generations",
                "{\"prompt\":\"a pier\",\"model\":\"dall-e-3\"}"));

        assertEquals(200, r.statusCode(), r.body() + "\n" + function.log());
        JsonNode response = JSON.readTree(r.body());
        assertEquals(200, response.path("statusCode").asInt(), r.body());
        String url = JSON.readTree(response.path("body").asText()).at("/data/0/url").asText();
        assertTrue(url.contains("/" + S3ProxyStorage.BUCKET + "/"), url);
        assertArrayEquals(PRODUCED, TestImages.fetch(url).body());
        function.upstream.verifyThat(postRequestedFor(urlEqualTo("/v1/images/generations")));
    }

    @Test
    void aBadRequestGetsA400InTheOpenAiShape() throws Exception {
        HttpResponse<String> r = function.invoke(LambdaFunctionUrlTest.functionUrlEvent("/generate",
                "{\"prompt\":\"x\",\"model\":\"dall-e-3\",\"n\":2}"));

        JsonNode response = JSON.readTree(r.body());
        assertEquals(400, response.path("statusCode").asInt(), r.body());
        assertEquals("n", JSON.readTree(response.path("body").asText()).at("/error/param").asText());
    }
}
