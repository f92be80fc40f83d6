package io.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The Lambda artifact deployed with QUARKUS_FUNQY_EXPORT=edit. */
@QuarkusTest
@TestProfile(LambdaEditTest.Profile.class)
class LambdaEditTest extends LambdaInvoke {

    public static class Profile extends Export {
        public Profile() {
            super("edit");
        }
    }

    private static final String PATH = "/v1/images/edits";
    private static final String SQUARE = TestImages.dataUrl("image/png", TestImages.png(64, 64, Color.GREEN));

    @InjectWireMock
    WireMockServer upstream;

    @Test
    void anEventIsAnsweredWithSignedUrls() {
        upstreamAnswers(upstream, PATH);

        resultOpens(invoke("{\"prompt\":\"add a moon\",\"model\":\"gpt-image-1\",\"images\":[{\"image_url\":\"" + SQUARE
                + "\"}]}"));

        upstreamCalls(upstream, PATH, 1);
    }

    @Test
    void aBadRequestFailsTheInvocationWithTheOpenAiError() throws Exception {
        upstreamAnswers(upstream, PATH);

        JsonNode error = refusal(invoke("{\"prompt\":\"x\",\"model\":\"gpt-image-1\"}"));

        assertEquals(400, error.path("status").asInt(), error.toString());
        assertEquals("invalid_request_error", error.at("/error/type").asText());
        assertEquals("images", error.at("/error/param").asText());
        upstreamCalls(upstream, PATH, 0);
    }
}
