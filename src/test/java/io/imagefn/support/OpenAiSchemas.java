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

    /** The JSON with its base64 cut short, for a readable failure. */
    private static String abbreviate(JsonNode json) {
        return json.toString().replaceAll("\"([A-Za-z0-9+/=]{60})[A-Za-z0-9+/=]{20,}\"", "\"$1...\"");
    }
}
