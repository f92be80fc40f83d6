package io.imagefn.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.imagefn.lifecycle.SnapStartPriming;
import io.imagefn.support.InjectWireMock;
import io.imagefn.support.WireMockUpstream;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * With {@code IMAGEFN_UPSTREAM_API_KEY_SECRET} set (as the SAM templates do), the upstream key is read at startup from
 * Secrets Manager through the AWS SDK, once for the life of the instance, and sent as the bearer key; the SnapStart
 * hooks prime without calling anyone, and a restore reads the secret again and renews what instances must not share.
 */
@QuarkusTest
@TestProfile(UpstreamKeyFromSecretsManagerTest.Profile.class)
class UpstreamKeyFromSecretsManagerTest {

    public static class Profile extends LambdaInvoke.Export {
        public Profile() {
            super("generate");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            List<TestResourceEntry> resources = new ArrayList<>(super.testResources());
            resources.add(new TestResourceEntry(SecretsManagerStandIn.class));
            return resources;
        }
    }

    private static final String PATH = "/v1/images/generations";

    @InjectWireMock
    WireMockServer upstream;

    @Inject
    SnapStartPriming priming;

    @Test
    void theKeyIsReadOnceFromTheSecretAndSentUpstream() {
        int before = reads();
        LambdaInvoke.upstreamAnswers(upstream, PATH);

        LambdaInvoke.resultOpens(LambdaInvoke.invoke("{\"prompt\":\"a lighthouse\",\"model\":\"gpt-image-1\"}"));
        LambdaInvoke.resultOpens(LambdaInvoke.invoke("{\"prompt\":\"a harbour\",\"model\":\"gpt-image-1\"}"));

        assertTrue(before >= 1, "read at startup");
        assertEquals(before, reads(), "kept, not read per request");
        assertEquals(reads(), SecretsManagerStandIn.server.countRequestsMatching(SecretsManagerStandIn.reads()
                .withRequestBody(equalToJson("{\"SecretId\":\"" + SecretsManagerStandIn.ARN + "\"}")).build())
                .getCount(), "the secret named by the setting");
        upstream.verify(2, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + SecretsManagerStandIn.KEY)));
        upstream.verify(0, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", containing(WireMockUpstream.API_KEY)));
    }

    private static int reads() {
        return SecretsManagerStandIn.server.countRequestsMatching(SecretsManagerStandIn.reads().build()).getCount();
    }

    @Test
    void primingCallsNobodyAndARestoreReadsTheSecretAgain() throws Exception {
        LambdaInvoke.upstreamAnswers(upstream, PATH);
        int reads = reads();

        priming.beforeCheckpoint(null);
        upstream.verify(0, postRequestedFor(urlEqualTo(PATH)));

        priming.afterRestore(null);
        assertEquals(reads + 1, reads(), "the secret is read again after a restore");
        String first = LambdaInvoke.invoke("{\"prompt\":\"a kite\",\"model\":\"gpt-image-1\"}").jsonPath()
                .getString("data[0].id");
        priming.afterRestore(null);
        String second = LambdaInvoke.invoke("{\"prompt\":\"a kite\",\"model\":\"gpt-image-1\"}").jsonPath()
                .getString("data[0].id");
        assertNotEquals(first, second);
        upstream.verify(2, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + SecretsManagerStandIn.KEY)));
    }
}
