package io.imagefn;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.awt.Color;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.StorageDownProfile;
import io.imagefn.support.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Storage is down: images the upstream produced (and billed) come back inline, flagged, never a bare 5xx. */
@QuarkusTest
@TestProfile(StorageDownProfile.class)
class StorageDownTest {

    @InjectWireMock
    WireMockServer upstream;

    @Test
    void returnsPaidImagesInlineWhenTheyCannotBeStored() {
        upstream.resetAll();
        byte[] first = TestImages.png(8, 8, Color.RED);
        byte[] second = TestImages.png(8, 8, Color.BLUE);
        upstream.stubFor(post(urlEqualTo("/v1/images/generations")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"created\":5,\"data\":[{\"b64_json\":\"%s\"},{\"b64_json\":\"%s\"}]}"
                        .formatted(TestImages.b64(first), TestImages.b64(second)))));

        given().contentType("application/json").body("{\"prompt\":\"x\",\"n\":2,\"size\":\"256x256\"}")
                .when().post("/generate")
                .then().statusCode(200)
                .body("data.size()", equalTo(2))
                .body("data[0].stored", equalTo(false))
                .body("data[0].url", nullValue())
                .body("data[0].b64_json", equalTo(TestImages.b64(first)))
                .body("data[1].b64_json", equalTo(TestImages.b64(second)));
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/generations")));
    }

    @Test
    void answers503WhenAStoredInputCannotBeRead() {
        given().contentType("application/json").body(Map.of("prompt", "x",
                "images", List.of(Map.of("file_id", "img_aaaaaaaaaaaaaaaaaaaaaaaaaa"))))
                .when().post("/edit")
                .then().statusCode(503)
                .header("Retry-After", "2")
                .body("error.code", equalTo("storage_unavailable"))
                .body("error.param", equalTo("images[0]"));
    }

    /** With the records' store out of reach a keyed request cannot be run safely once: 503, nothing paid for. */
    @Test
    void aKeyedRequestIs503WhenItsRecordCannotBeKept() {
        upstream.resetAll();
        given().contentType("application/json").header("Idempotency-Key", "k-store-down")
                .body("{\"prompt\":\"x\",\"size\":\"256x256\"}")
                .when().post("/generate")
                .then().statusCode(503)
                .header("Retry-After", "5")
                .body("error.code", equalTo("idempotency_store_unavailable"));
        upstream.verify(0, postRequestedFor(urlEqualTo("/v1/images/generations")));
    }
}
