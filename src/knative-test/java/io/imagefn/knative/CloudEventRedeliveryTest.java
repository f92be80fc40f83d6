package io.imagefn.knative;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.Color;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.support.InjectWireMock;
import io.imagefn.support.TestImages;
import io.imagefn.support.UpstreamProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** A broker redelivering an event (same id and source) does not pay for its images again. */
@QuarkusTest
@TestProfile(UpstreamProfile.class)
class CloudEventRedeliveryTest {

    private static final String PATH = "/v1/images/generations";

    @InjectWireMock
    WireMockServer upstream;

    private static List<Object> deliver(String id, String source) {
        return given().header("ce-id", id).header("ce-source", source).header("ce-specversion", "1.0")
                .header("ce-type", "imagefn.generate").contentType("application/json")
                .body("{\"prompt\":\"a heron\",\"model\":\"dall-e-2\",\"size\":\"256x256\"}")
                .when().post("/").then().statusCode(200).extract().jsonPath().getList("data.id");
    }

    @Test
    void aRedeliveredEventGetsTheFirstDeliverysImagesWithoutAnUpstreamCall() {
        upstream.resetAll();
        upstream.stubFor(post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"created\":1,\"data\":[{\"b64_json\":\""
                        + TestImages.b64(TestImages.png(16, 16, Color.CYAN)) + "\"}]}")));
        String id = UUID.randomUUID().toString();

        List<Object> first = deliver(id, "/brokers/default");
        List<Object> again = deliver(id, "/brokers/default");
        upstream.verify(1, postRequestedFor(urlEqualTo(PATH)));
        assertEquals(first, again);

        // the same id from another source is another event
        List<Object> other = deliver(id, "/brokers/other");
        upstream.verify(2, postRequestedFor(urlEqualTo(PATH)));
        assertNotEquals(first, other);
    }
}
