package io.imagefn;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.imagefn.support.ApiKeysProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** With IMAGEFN_API_KEYS set, /v1 and the function paths need one of the keys. */
@QuarkusTest
@TestProfile(ApiKeysProfile.class)
class ApiKeysTest {

    private static final String BODY = "{\"prompt\":\"x\",\"size\":\"256x256\"}";

    @ParameterizedTest
    @ValueSource(strings = { "/v1/images/generations", "/generate" })
    void refusesAMissingKeyWith401(String path) {
        given().contentType("application/json").body(BODY).when().post(path)
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body("error.type", equalTo("invalid_request_error"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/v1/images/generations", "/generate" })
    void refusesAWrongKeyWithoutEchoingIt(String path) {
        given().contentType("application/json").header("Authorization", "Bearer sk-wrong-secret").body(BODY)
                .when().post(path)
                .then().statusCode(401)
                .body("error.code", equalTo("invalid_api_key"))
                .body(not(containsString("sk-wrong-secret")));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/v1/images/generations", "/generate" })
    void servesAnyConfiguredKey(String path) {
        given().contentType("application/json").header("Authorization", "Bearer " + ApiKeysProfile.KEY).body(BODY)
                .when().post(path)
                .then().statusCode(200);
    }

    /** The emulator is not an open door beside the guarded surface: no free images, no fault injection. */
    @ParameterizedTest
    @ValueSource(strings = { "/emulator/v1/images/generations", "/emulator/faults" })
    void theEmulatorRefusesAnonymousCallers(String path) {
        given().contentType("application/json").body("{\"status\":500,\"count\":20}").when().post(path)
                .then().statusCode(401).body("error.type", equalTo("invalid_request_error"));
        given().contentType("application/json").header("Authorization", "Bearer sk-wrong-secret")
                .body("{\"status\":500,\"count\":20}").when().post(path)
                .then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
    }

    @Test
    void theEmulatorServesAConfiguredKeyAndImagefnItself() {
        given().contentType("application/json").header("Authorization", "Bearer " + ApiKeysProfile.KEY)
                .body("{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"quality\":\"low\"}")
                .when().post("/emulator/v1/images/generations")
                .then().statusCode(200).body("data[0].b64_json", org.hamcrest.Matchers.notNullValue());
        // imagefn's own calls to the emulator carry its access token, so the functions keep working
        given().contentType("application/json").header("Authorization", "Bearer " + ApiKeysProfile.KEY).body(BODY)
                .when().post("/generate")
                .then().statusCode(200).body("data[0].url", org.hamcrest.Matchers.startsWith("http"));
    }

    /** A file_id belongs to the caller that stored the image: another key finds nothing there. */
    @Test
    void aFileIdIsTheCallersOwn() {
        String id = given().contentType("application/json").header("Authorization", "Bearer imagefn-key-one")
                .body("{\"prompt\":\"a harbour\",\"model\":\"gpt-image-1\",\"quality\":\"low\"}")
                .when().post("/generate").then().statusCode(200).extract().path("data[0].id");
        String edit = "{\"prompt\":\"add a boat\",\"model\":\"gpt-image-1\",\"images\":[{\"file_id\":\"" + id
                + "\"}]}";

        given().contentType("application/json").header("Authorization", "Bearer " + ApiKeysProfile.KEY).body(edit)
                .when().post("/edit").then().statusCode(404)
                .body("error.code", equalTo("image_not_found"))
                .body("error.param", equalTo("images[0]"));
        given().contentType("application/json").header("Authorization", "Bearer " + ApiKeysProfile.KEY)
                .body("{\"image\":{\"file_id\":\"" + id + "\"}}")
                .when().post("/variation").then().statusCode(404).body("error.code", equalTo("image_not_found"));
        given().contentType("application/json").header("Authorization", "Bearer imagefn-key-one").body(edit)
                .when().post("/edit").then().statusCode(200);
    }

    /** Refused requests share one metrics series: a caller inventing paths cannot mint one per path. */
    @Test
    void refusedJunkPathsShareOneMetricsSeries() {
        for (int i = 0; i < 5; i++) {
            given().contentType("application/json").body("{}").when().post("/v1/zz" + i).then().statusCode(401);
        }
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(!metrics.contains("uri=\"/v1/zz"), "no series per refused path");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("http_server_requests_seconds_count")
                && l.contains("uri=\"/REFUSED\"") && l.contains("status=\"401\"")), () -> metrics.lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_count")).toList().toString());
    }

    @Test
    void leavesTheOpenApiDocumentOpen() {
        given().when().get("/q/openapi").then().statusCode(200);
    }
}
