package io.imagefn.lambdahttp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Behind a function URL with API keys set, no spelling of a guarded path in the event's {@code rawPath} reaches the
 * recording upstream without a key, as in the HTTP build.
 */
@QuarkusTest
@TestProfile(FunctionUrlPathSpellingsTest.Profile.class)
class FunctionUrlPathSpellingsTest {

    static final String KEY = "imagefn-key-function-url";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefn.api-keys", KEY);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(WireMockUpstream.class), new TestResourceEntry(S3ProxyStorage.class));
        }
    }

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void upstreamWouldAnswer() {
        upstream.resetAll();
        upstream.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("Content-Type",
                "application/json").withBody("{\"created\":1,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(8, 8, Color.RED)) + "\"}]}")));
    }

    private static JsonPath invoke(String event) {
        return given().contentType("application/json").body(event).when().post("/_lambda_").then().statusCode(200)
                .extract().jsonPath();
    }

    private static String withKey(String event) {
        return event.replace("\"headers\":{", "\"headers\":{\"authorization\":\"Bearer " + KEY + "\",");
    }

    private static final String BODY = "{\"prompt\":\"x\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}";

    @ParameterizedTest
    @ValueSource(strings = { "/v1;x/images/generations", "/v1;/images/generations", "/v1/images/generations;x",
            "/v1//images/generations", "/v1/./images/generations", "/x/../v1/images/generations",
            "/v1/images/%67enerations", "/v%31/images/generations", "/v1%2Fimages%2Fgenerations",
            "/V1/images/generations", "/generate;x", "/%67enerate", "/generate/", "/v1/anything", "/v1" })
    void noSpellingOfAGuardedPathReachesTheUpstreamWithoutAKey(String rawPath) {
        JsonPath response = invoke(LambdaFunctionUrlTest.functionUrlEvent(rawPath, BODY));

        int status = response.getInt("statusCode");
        assertTrue(status == 400 || status == 401 || status == 404, rawPath + " answered " + response.prettify());
        upstream.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void theWrittenPathWithAKeyIsServed() {
        for (String path : List.of("/v1/images/generations", "/generate")) {
            JsonPath response = invoke(withKey(LambdaFunctionUrlTest.functionUrlEvent(path, BODY)));
            assertEquals(200, response.getInt("statusCode"), path + ": " + response.prettify());
        }
        JsonPath semicolon = invoke(withKey(LambdaFunctionUrlTest.functionUrlEvent("/v1;x/images/generations",
                BODY)));
        assertEquals(400, semicolon.getInt("statusCode"), semicolon.prettify());
        upstream.verify(2, anyRequestedFor(anyUrl()));
    }
}
