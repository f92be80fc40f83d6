package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.WireMockAzure;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Azure OpenAI as the upstream ({@code IMAGEFN_UPSTREAM_PROVIDER=azure}), through the real REST client against
 * WireMock playing Azure's paths, headers and errors: one deployment per model, {@code api-version} on every call,
 * the {@code api-key} header (never a bearer), a 429 with {@code retry-after-ms} retried, a content-filter refusal
 * passed on as OpenAI's 400, and variations (which Azure does not serve) refused before any call.
 */
@QuarkusTest
@TestProfile(AzureUpstreamTest.Profile.class)
class AzureUpstreamTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(WireMockAzure.class), new TestResourceEntry(S3ProxyStorage.class));
        }
    }

    private static final String GENERATIONS = "/openai/deployments/images-east/images/generations?api-version="
            + WireMockAzure.API_VERSION;
    private static final byte[] PRODUCED = TestImages.png(32, 32, Color.CYAN);
    private static final String ANSWER = "{\"created\":1,\"data\":[{\"b64_json\":\"" + TestImages.b64(PRODUCED)
            + "\",\"content_filter_results\":{\"sexual\":{\"filtered\":false,\"severity\":\"safe\"}}}],"
            + "\"usage\":{\"input_tokens\":10,\"output_tokens\":100,\"total_tokens\":110,"
            + "\"input_tokens_details\":{\"text_tokens\":10,\"image_tokens\":0}}}";

    @InjectWireMock
    WireMockServer azure;

    @BeforeEach
    void reset() {
        azure.resetAll();
    }

    private static void answers(WireMockServer server, String url) {
        server.stubFor(post(urlEqualTo(url)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("apim-request-id", "azure-req-1")
                .withBody(ANSWER)));
    }

    @Test
    void aGenerationGoesToTheModelsDeploymentWithTheApiKeyAndVersion() {
        answers(azure, GENERATIONS);

        String url = given().contentType("application/json").body(Map.of("prompt", "a lighthouse", "model",
                "gpt-image-1")).when().post("/generate")
                .then().statusCode(200).body("data[0].url", startsWith("http")).extract().path("data[0].url");

        assertArrayEquals(PRODUCED, TestImages.fetch(url).body(), "Azure's image, stored and signed");
        azure.verify(1, postRequestedFor(urlEqualTo(GENERATIONS))
                .withHeader("api-key", WireMock.equalTo(WireMockAzure.API_KEY))
                .withHeader("Authorization", absent()));
        LoggedRequest sent = azure.findAll(postRequestedFor(urlEqualTo(GENERATIONS))).get(0);
        assertFalse(sent.getBodyAsString().contains("response_format"), "never sent to a GPT image model");
    }

    @Test
    void aModelWithoutAMappingGoesToADeploymentOfItsName() {
        String own = "/openai/deployments/gpt-image-1.5/images/generations?api-version=" + WireMockAzure.API_VERSION;
        answers(azure, own);
        String dalle = "/openai/deployments/dalle3-east/images/generations?api-version=" + WireMockAzure.API_VERSION;
        answers(azure, dalle);

        given().contentType("application/json").body(Map.of("prompt", "a kite", "model", "gpt-image-1.5"))
                .when().post("/generate").then().statusCode(200);
        given().contentType("application/json").body(Map.of("prompt", "a kite", "model", "dall-e-3"))
                .when().post("/v1/images/generations").then().statusCode(200).body("data[0].url", startsWith("http"));

        azure.verify(1, postRequestedFor(urlEqualTo(own)));
        azure.verify(1, postRequestedFor(urlEqualTo(dalle)).withRequestBody(
                WireMock.containing("\"response_format\":\"b64_json\"")));
    }

    @Test
    void aRateLimitIsRetriedAfterAzuresRetryAfterMs() {
        azure.stubFor(post(urlEqualTo(GENERATIONS)).inScenario("429").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("retry-after-ms", "50").withHeader("retry-after", "1")
                        .withBody("{\"error\":{\"code\":\"429\",\"message\":\"Requests to the Images_Generations "
                                + "Operation have exceeded call rate limit of your current pricing tier.\"}}"))
                .willSetStateTo("ok"));
        azure.stubFor(post(urlEqualTo(GENERATIONS)).inScenario("429").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(ANSWER)));

        given().contentType("application/json").body(Map.of("prompt", "a lighthouse", "model", "gpt-image-1"))
                .when().post("/generate").then().statusCode(200);

        azure.verify(2, postRequestedFor(urlEqualTo(GENERATIONS)));
    }

    @Test
    void aPersistentRateLimitIsOpenAisRateLimitError() {
        azure.stubFor(post(urlEqualTo(GENERATIONS)).willReturn(aResponse().withStatus(429)
                .withHeader("retry-after-ms", "10")
                .withBody("{\"error\":{\"code\":\"429\",\"message\":\"Rate limit of your tier exceeded.\"}}")));

        given().contentType("application/json").body(Map.of("prompt", "a lighthouse", "model", "gpt-image-1"))
                .when().post("/v1/images/generations").then().statusCode(429)
                .body("error.code", equalTo("rate_limit_exceeded"));
    }

    @Test
    void aContentFilterRefusalIsPassedOnAsOpenAis400() {
        azure.stubFor(post(urlEqualTo(GENERATIONS)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"content_policy_violation\",\"inner_error\":{\"code\":"
                        + "\"ResponsibleAIPolicyViolation\",\"content_filter_results\":{\"violence\":{\"filtered\":"
                        + "true,\"severity\":\"high\"}}},\"message\":\"Your request was rejected as a result of our "
                        + "safety system.\",\"type\":\"invalid_request_error\"}}")));

        given().contentType("application/json").body(Map.of("prompt", "something refused", "model", "gpt-image-1"))
                .when().post("/v1/images/generations").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("content_policy_violation"))
                .body("error.message", startsWith("Your request was rejected"));
        azure.verify(1, postRequestedFor(urlEqualTo(GENERATIONS)));
    }

    @Test
    void anEditGoesToTheDeploymentsEditsPathAsMultipart() {
        String edits = "/openai/deployments/images-east/images/edits?api-version=" + WireMockAzure.API_VERSION;
        answers(azure, edits);

        given().multiPart("image", "a.png", TestImages.png(64, 64, Color.RED), "image/png")
                .multiPart("prompt", "add a hat").multiPart("model", "gpt-image-1")
                .when().post("/v1/images/edits").then().statusCode(200).body("data[0].b64_json", startsWith("iVBOR"));

        LoggedRequest sent = azure.findAll(postRequestedFor(urlEqualTo(edits))).get(0);
        assertTrue(sent.getHeader("Content-Type").startsWith("multipart/form-data"), sent.getHeader("Content-Type"));
        assertTrue(sent.getPart("image") != null, "the image part");
        azure.verify(postRequestedFor(urlEqualTo(edits)).withHeader("api-key", WireMock.equalTo(WireMockAzure.API_KEY)));
    }

    @Test
    void variationsAreRefusedBeforeAnyCall() {
        given().multiPart("image", "a.png", TestImages.png(64, 64, Color.RED), "image/png")
                .when().post("/v1/images/variations").then().statusCode(400)
                .body("error.code", equalTo("unsupported_operation"));
        azure.verify(0, postRequestedFor(anyUrl()));
        assertTrue(azure.findAll(postRequestedFor(urlPathEqualTo("/v1/images/variations"))).isEmpty());
    }

    /** Azure takes edits as multipart only, which has no moderation: refused naming the upstream, before any call. */
    @Test
    void anEditWithModerationIsRefusedNamingTheUpstreamBeforeAnyCall() {
        given().contentType("application/json").body(java.util.Map.of("images", java.util.List.of(java.util.Map.of(
                "image_url", TestImages.dataUrl("image/png", TestImages.png(64, 64, Color.RED)))), "prompt", "calm",
                "model", "gpt-image-1", "moderation", "low"))
                .when().post("/v1/images/edits").then().statusCode(400)
                .body("error.param", equalTo("moderation"))
                .body("error.message", org.hamcrest.Matchers.containsString("Azure OpenAI"));
        azure.verify(0, postRequestedFor(anyUrl()));
    }
}
