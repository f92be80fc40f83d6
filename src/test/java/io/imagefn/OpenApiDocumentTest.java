package io.imagefn;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Set;
import java.util.TreeSet;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.VariationRequest;
import io.imagefn.http.AsyncRequests;
import io.imagefn.openai.ImagesResource;
import io.imagefn.openai.JobsResource;
import io.imagefn.openai.ModelsResource;
import io.imagefn.openai.UsageResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * /q/openapi describes the real /v1 surface: a path and method for each resource method, the request schemas with
 * exactly the fields the code accepts (JSON and multipart/form-data), and the response schemas with every field the
 * answers carry, imagefn's extensions included; no internal media type leaks into it.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static final String IDEMPOTENCY_KEY = "idempotency_key";
    private static final String WEBHOOK = AsyncRequests.WEBHOOK;
    private static final String WEBHOOK_EVENTS = AsyncRequests.EVENTS;

    private static JsonNode document() throws Exception {
        return new ObjectMapper().readTree(given().accept("application/json").when().get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString());
    }

    private static Set<String> properties(JsonNode doc, String schema) {
        Set<String> names = new TreeSet<>();
        doc.at("/components/schemas/" + schema + "/properties").fieldNames().forEachRemaining(names::add);
        assertFalse(names.isEmpty(), schema + " has field schemas");
        return names;
    }

    private static Set<String> with(Set<String> fields, String... more) {
        Set<String> all = new TreeSet<>(fields);
        all.addAll(Set.of(more));
        return all;
    }

    @Test
    void everyResourceMethodIsAPathOfTheDocument() throws Exception {
        JsonNode paths = document().path("paths");
        Set<String> documented = new TreeSet<>();
        paths.fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> documented.add(
                m.toUpperCase() + " " + p.getKey())));
        Set<String> served = new TreeSet<>();
        for (Class<?> resource : new Class<?>[] { ImagesResource.class, ModelsResource.class, JobsResource.class,
                UsageResource.class }) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method m : resource.getDeclaredMethods()) {
                String verb = m.isAnnotationPresent(POST.class) ? "POST" : m.isAnnotationPresent(GET.class) ? "GET" : null;
                if (verb != null) {
                    Path sub = m.getAnnotation(Path.class);
                    served.add(verb + " " + base + (sub == null ? "" : sub.value()));
                }
            }
        }
        assertEquals(served, documented);
    }

    @Test
    void requestSchemasListExactlyTheFieldsTheCodeAccepts() throws Exception {
        JsonNode doc = document();
        assertEquals(with(GenerateRequest.FIELDS, IDEMPOTENCY_KEY, WEBHOOK, WEBHOOK_EVENTS), properties(doc, "CreateImageRequest"));
        assertEquals(with(EditRequest.FIELDS, IDEMPOTENCY_KEY, WEBHOOK, WEBHOOK_EVENTS),
                properties(doc, "EditImageBodyJsonParam"));
        assertEquals(with(EditRequest.FORM_FIELDS, IDEMPOTENCY_KEY, "image", "mask", WEBHOOK, WEBHOOK_EVENTS),
                properties(doc, "CreateImageEditRequest"));
        assertEquals(with(VariationRequest.FORM_FIELDS, IDEMPOTENCY_KEY, "image", WEBHOOK, WEBHOOK_EVENTS),
                properties(doc, "CreateImageVariationRequest"));
        assertEquals(with(VariationRequest.FIELDS, IDEMPOTENCY_KEY), with(VariationRequest.FORM_FIELDS,
                IDEMPOTENCY_KEY, "image"), "the functions' JSON variation has the form's fields");
    }

    @Test
    void multipartOperationsSayMultipartFormData() throws Exception {
        JsonNode paths = document().path("paths");
        assertTrue(paths.at("/~1v1~1images~1edits/post/requestBody/content").has("multipart/form-data"));
        assertTrue(paths.at("/~1v1~1images~1edits/post/requestBody/content").has("application/json"));
        assertTrue(paths.at("/~1v1~1images~1variations/post/requestBody/content").has("multipart/form-data"));
        assertFalse(paths.toString().contains("x-imagefn-raw"), "no internal media type");
        assertTrue(paths.at("/~1v1~1images~1generations/post/responses/200/content").has("text/event-stream"));
    }

    @Test
    void responseSchemasCarryEveryFieldOfTheAnswers() throws Exception {
        JsonNode doc = document();
        assertEquals(jsonNames(ImagesResponse.class), properties(doc, "ImagesResponse"));
        assertEquals(jsonNames(ImagesResponse.ImageData.class), properties(doc, "Image"));
        assertEquals(jsonNames(io.imagefn.images.EstimatedCost.class), properties(doc, "EstimatedCost"));
        assertEquals(jsonNames(io.imagefn.images.Usage.class), properties(doc, "ImageGenUsage"));
        assertEquals(jsonNames(ModelsResource.Model.class), properties(doc, "Model"));
        assertEquals(jsonNames(UsageResource.Usage.class), properties(doc, "Usage"));
        assertEquals(jsonNames(UsageResource.Budget.class), properties(doc, "UsageBudget"));
        assertEquals(jsonNames(UsageResource.Window.class), properties(doc, "UsageWindow"));
    }

    /** The JSON names of a record's components. */
    private static Set<String> jsonNames(Class<? extends Record> type) {
        Set<String> names = new TreeSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
            if (p == null) {
                p = c.getAnnotation(JsonProperty.class);
            }
            names.add(p != null ? p.value() : c.getName());
        }
        return names;
    }
}
