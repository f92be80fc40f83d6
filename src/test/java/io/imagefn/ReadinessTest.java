package io.imagefn;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.imagefn.support.RestartableS3;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The storage health group follows the object store (DOWN while the bucket is unreachable, UP again when it is back),
 * while readiness stays UP: an instance whose bucket is down still serves, handing images back inline.
 */
@QuarkusTest
@TestProfile(ReadinessTest.Profile.class)
class ReadinessTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // look at the bucket on every probe, so the test need not wait out the cache
            return Map.of("imagefn.s3.readiness-cache", "0s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RestartableS3.class));
        }
    }

    @RestartableS3.Inject
    RestartableS3.Switch s3;

    @Test
    void theStorageGroupGoesDownWhenTheObjectStoreStopsWhileTheInstanceStaysReady() {
        storage(200, "UP");

        s3.stop();
        try {
            storage(503, "DOWN");
            given().when().get("/q/health/group/storage").then()
                    .body("checks.find { it.name == 'object-store' }.data.error", containsString("bucket does not answer"));
            // still ready: it serves, handing images back inline, rather than every instance leaving at once
            given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
            // liveness is about the process, not its dependencies: a restart would not bring the store back
            given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        } finally {
            s3.start();
        }

        storage(200, "UP");
    }

    private static void storage(int status, String state) {
        given().when().get("/q/health/group/storage").then().statusCode(status).body("status", equalTo(state))
                .body("checks.find { it.name == 'object-store' }.status", equalTo(state));
    }
}
