package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged application configured as a deployment is: a real upstream URL and key (WireMock), a configured bucket
 * (S3Proxy with SigV4 checks), none of the zero-config stand-ins. The test starts both and hands their settings to the
 * launched artifact; the same class runs unchanged against a native executable where one is built
 * ({@code -Dnative}).
 */
@QuarkusIntegrationTest
@WithTestResource(WireMockUpstream.class)
@WithTestResource(S3ProxyStorage.class)
class ProductionConfiguredIT {

    private static final byte[] PRODUCED = TestImages.png(40, 40, Color.PINK);

    @InjectWireMock
    WireMockServer upstream;

    @BeforeEach
    void answer() {
        upstream.resetAll();
        for (String path : new String[] { "/v1/images/generations", "/v1/images/edits", "/v1/images/variations" }) {
            upstream.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"created\":3,\"data\":[{\"b64_json\":\"" + TestImages.b64(PRODUCED) + "\"}]}")));
        }
    }

    private static void opensFromTheBucket(String url) {
        assertTrue(url.contains("/" + S3ProxyStorage.BUCKET + "/"), "signed into the configured bucket: " + url);
        assertArrayEquals(PRODUCED, TestImages.fetch(url).body());
    }

    @Test
    void aGenerationIsStoredInTheConfiguredBucketFromTheConfiguredUpstream() {
        String url = given().contentType("application/json").body("{\"prompt\":\"a lighthouse\",\"model\":\"gpt-image-1\"}")
                .when().post("/generate").then().statusCode(200).extract().path("data[0].url");

        opensFromTheBucket(url);
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/generations"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + WireMockUpstream.API_KEY)));
    }

    @Test
    void theOpenAiSurfaceEditsAndVariesThroughTheSameConfiguration() {
        byte[] square = TestImages.png(64, 64, Color.GREEN);
        String edited = given().multiPart("image", "a.png", square, "image/png").multiPart("prompt", "add a hat")
                .multiPart("model", "gpt-image-1")
                .when().post("/v1/images/edits").then().statusCode(200).extract().path("data[0].stored_url");
        String varied = given().multiPart("image", "a.png", square, "image/png")
                .when().post("/v1/images/variations").then().statusCode(200).extract().path("data[0].url");

        opensFromTheBucket(edited);
        opensFromTheBucket(varied);
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/edits")));
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/variations")));
    }

    @Test
    void theStandInsAreOffAndTheBucketIsHealthy() {
        given().contentType("application/json").body("{\"prompt\":\"x\",\"model\":\"gpt-image-1\"}")
                .when().post("/emulator/v1/images/generations").then().statusCode(404);
        given().when().get("/q/health/group/storage").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200);
    }
}
