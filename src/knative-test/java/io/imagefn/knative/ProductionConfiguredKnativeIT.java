package io.imagefn.knative;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;

import io.cloudevents.CloudEvent;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.S3ProxyStorage;
import io.imagefn.support.TestImages;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged Knative build (which carries no emulator or embedded S3 server) configured as a deployment is, with a
 * WireMock upstream and an S3Proxy bucket the test starts: a CloudEvent sent with the CloudEvents SDK is answered
 * with a result event whose image opens from the bucket. Runs unchanged against a native executable.
 */
@QuarkusIntegrationTest
@WithTestResource(WireMockUpstream.class)
@WithTestResource(S3ProxyStorage.class)
class ProductionConfiguredKnativeIT extends CloudEventsTest {

    private static final byte[] PRODUCED = TestImages.png(40, 40, Color.CYAN);

    @InjectWireMock
    WireMockServer upstream;

    @Override
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("calls")
    void binaryModeEventsAreAnsweredWithAResultEvent(Call call) throws Exception {
        answers();
        super.binaryModeEventsAreAnsweredWithAResultEvent(call);
    }

    @Override
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("calls")
    void structuredModeEventsAreAnsweredInStructuredMode(Call call) throws Exception {
        answers();
        super.structuredModeEventsAreAnsweredInStructuredMode(call);
    }

    private void answers() {
        upstream.resetAll();
        for (String path : new String[] { "/v1/images/generations", "/v1/images/edits", "/v1/images/variations" }) {
            upstream.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"created\":3,\"data\":[{\"b64_json\":\"" + TestImages.b64(PRODUCED) + "\"}]}")));
        }
    }

    @Test
    void theImageComesFromTheConfiguredUpstreamIntoTheConfiguredBucket() throws Exception {
        answers();
        CloudEvent result = send(event("imagefn.generate", "/orders", "{\"prompt\":\"a kite\",\"model\":\"gpt-image-1\"}"),
                false).event();

        String url = new ObjectMapper().readTree(result.getData().toBytes()).at("/data/0/url").asText();
        assertTrue(url.contains("/" + S3ProxyStorage.BUCKET + "/"), url);
        assertArrayEquals(PRODUCED, TestImages.fetch(url).body());
        upstream.verify(1, postRequestedFor(urlEqualTo("/v1/images/generations"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + WireMockUpstream.API_KEY)));
        assertEquals(404, TestImages.fetch(root.toString() + "emulator/v1/images/generations").statusCode(),
                "no emulator in this build");
    }
}
