package io.imagefn.lambda;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * AWS Secrets Manager played by WireMock on a free port: its JSON protocol ({@code POST /} with
 * {@code X-Amz-Target: secretsmanager.GetSecretValue}), reached through the real SDK by an endpoint override. It
 * knows one secret, {@link #ARN}; any other id is answered as AWS answers a missing secret.
 */
public class SecretsManagerStandIn implements QuarkusTestResourceLifecycleManager {

    static final String ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:imagefn/upstream-key-AbCdEf";
    static final String KEY = "sk-from-secrets-manager";

    static WireMockServer server;

    /** Starts a stand-in outside Quarkus (for the packaged-jar tests). */
    static WireMockServer start(String secretValue) {
        WireMockServer s = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        s.start();
        s.stubFor(post(urlEqualTo("/")).atPriority(10).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withHeader("x-amzn-ErrorType", "ResourceNotFoundException")
                .withBody("{\"__type\":\"ResourceNotFoundException\",\"message\":\"Secrets Manager can't find the "
                        + "specified secret.\"}")));
        s.stubFor(post(urlEqualTo("/")).atPriority(1)
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .withRequestBody(matchingJsonPath("$.SecretId", equalTo(ARN)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"ARN\":\"" + ARN + "\",\"Name\":\"imagefn/upstream-key\",\"SecretString\":\""
                                + secretValue + "\",\"VersionId\":\"v1\",\"VersionStages\":[\"AWSCURRENT\"]}")));
        return s;
    }

    /** Adds a secret {@code arn} holding {@code value} (a JSON string's content) to a running stand-in. */
    static void holds(WireMockServer s, String arn, String value) {
        s.stubFor(post(urlEqualTo("/")).atPriority(1)
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .withRequestBody(matchingJsonPath("$.SecretId", equalTo(arn)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"ARN\":\"" + arn + "\",\"Name\":\"imagefn/secret\",\"SecretString\":"
                                + com.fasterxml.jackson.databind.node.TextNode.valueOf(value) + ",\"VersionId\":\"v1\","
                                + "\"VersionStages\":[\"AWSCURRENT\"]}")));
    }

    /** The GetSecretValue calls that reached the stand-in. */
    static RequestPatternBuilder reads() {
        return postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"));
    }

    @Override
    public Map<String, String> start() {
        server = start(KEY);
        // the SDK's default credentials chain reads these; the stand-in does not check signatures
        System.setProperty("aws.accessKeyId", "AKIATESTSECRETS");
        System.setProperty("aws.secretAccessKey", "test-secret-access-key");
        return Map.of("imagefn.upstream.api-key-secret", ARN,
                "imagefn.upstream.secrets-endpoint", server.baseUrl());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
