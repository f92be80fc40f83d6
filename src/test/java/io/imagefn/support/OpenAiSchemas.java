package io.imagefn.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * OpenAI's own OpenAPI document for the images paths (src/test/resources/openai), used as the judge of what /v1
 * answers: each body and each stream event must validate against the schema OpenAI publishes for it (JSON Schema
 * 2020-12, as OpenAPI 3.1 uses). imagefn's extensions (url, id, expires_at, estimated_cost) are extra properties,
 * which those schemas allow.
 */
public final class OpenAiSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private OpenAiSchemas() {
    }

    /** The schema {@code #/components/schemas/<name>} of OpenAI's document. */
    public static JsonSchema schema(String name) {
        return FACTORY.getSchema(SchemaLocation.of("classpath:openai/openai-images.openapi.json#/components/schemas/"
                + name));
    }

    /** Fails with every violation when {@code json} does not validate against OpenAI's schema {@code name}. */
    public static void assertValid(String name, String json) {
        try {
            assertValid(name, JSON.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    public static void assertValid(String name, JsonNode json) {
        Set<ValidationMessage> problems = schema(name).validate(json);
        assertTrue(problems.isEmpty(), () -> "not a valid OpenAI " + name + ": " + problems.stream()
                .map(ValidationMessage::getMessage).collect(Collectors.joining("; ")) + "\n" + abbreviate(json));
    }

    /**
     * An error answer as OpenAI writes it and its SDKs read it (openai-java's {@code ErrorObject}, the {@code error}
     * of openai-node's {@code APIError}): {@code {"error":{"message","type","param","code"}}}, message and type
     * strings, param and code strings or null. OpenAI's document has no schema for errors to judge by.
     */
    public static void assertErrorShape(String json) {
        JsonNode error;
        try {
            error = JSON.readTree(json).path("error");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
        assertTrue(error.isObject(), () -> "no error object: " + json);
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank(),
                () -> "no message: " + json);
        assertTrue(error.path("type").isTextual(), () -> "no type: " + json);
        for (String field : new String[] { "param", "code" }) {
            assertTrue(error.has(field) && (error.get(field).isTextual() || error.get(field).isNull()),
                    () -> field + " missing or not a string or null: " + json);
        }
    }

    /** The JSON with its base64 cut short, for a readable failure. */
    private static String abbreviate(JsonNode json) {
        return json.toString().replaceAll("\"([A-Za-z0-9+/=]{60})[A-Za-z0-9+/=]{20,}\"", "\"$1...\"");
    }
}
