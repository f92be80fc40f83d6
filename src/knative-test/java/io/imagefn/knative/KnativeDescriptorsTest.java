package io.imagefn.knative;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.imagefn.function.ImageFunctions;
import io.imagefn.support.Descriptors;
import io.quarkus.funqy.Funq;
import io.quarkus.test.junit.QuarkusTest;

/**
 * deploy/knative against the code it deploys: the Triggers' event types are the functions' CloudEvent types, they
 * point at the Service, every variable the Service sets is one the application reads, every secret key it reads is
 * one the README creates, and the probe paths answer.
 */
@QuarkusTest
class KnativeDescriptorsTest {

    private static final Path DIR = Path.of("deploy/knative");

    @Test
    void triggersMatchTheFunctionsCloudEventTypes() throws Exception {
        Set<String> functionTypes = new TreeSet<>();
        for (var m : java.util.stream.Stream.of(ImageFunctions.class, io.imagefn.function.KnativeJobWorker.class)
                .flatMap(c -> java.util.Arrays.stream(c.getDeclaredMethods())).toList()) {
            Funq funq = m.getAnnotation(Funq.class);
            if (funq != null) {
                // the mapping is this build's configuration (the function class is shared by every binding)
                functionTypes.add(ConfigProvider.getConfig().getValue("quarkus.funqy.knative-events.mapping."
                        + funq.value() + ".trigger", String.class));
            }
        }
        Set<String> triggerTypes = new TreeSet<>();
        String service = Descriptors.at(Descriptors.documents(DIR.resolve("service.yaml")).get(0), "/metadata/name")
                .asText();
        for (JsonNode doc : Descriptors.documents(DIR.resolve("eventing.yaml"))) {
            if ("Trigger".equals(doc.path("kind").asText())) {
                triggerTypes.add(Descriptors.at(doc, "/spec/filter/attributes/type").asText());
                assertEquals(service, Descriptors.at(doc, "/spec/subscriber/ref/name").asText());
                assertEquals("default", Descriptors.at(doc, "/spec/broker").asText());
            }
        }
        assertEquals(Set.of("imagefn.generate", "imagefn.edit", "imagefn.variation", "imagefn.job.requested"),
                functionTypes);
        assertEquals(functionTypes, triggerTypes);
        assertEquals(io.imagefn.jobs.CloudEventDispatch.REQUESTED, ConfigProvider.getConfig().getValue(
                "quarkus.funqy.knative-events.mapping.run-job.trigger", String.class), "what the front sends");
        // the front's K_SINK is the broker its Triggers hang on
        JsonNode binding = Descriptors.documents(DIR.resolve("eventing.yaml")).stream()
                .filter(d -> "SinkBinding".equals(d.path("kind").asText())).findFirst().orElseThrow();
        assertEquals(service, Descriptors.at(binding, "/spec/subject/name").asText());
        assertEquals("Broker", Descriptors.at(binding, "/spec/sink/ref/kind").asText());
        assertEquals("default", Descriptors.at(binding, "/spec/sink/ref/name").asText());
    }

    @Test
    void theServiceSetsOnlyVariablesTheApplicationReadsAndSecretsTheReadmeCreates() throws Exception {
        JsonNode container = Descriptors.at(Descriptors.documents(DIR.resolve("service.yaml")).get(0),
                "/spec/template/spec/containers/0");
        Set<String> known = Descriptors.imagefnVariables();
        String readme = Files.readString(DIR.resolve("README.md"));
        List<String> problems = new ArrayList<>();
        for (JsonNode env : container.path("env")) {
            String name = env.path("name").asText();
            if (!known.contains(name) && !name.equals("IMAGEFN_SHUTDOWN_GRACE")) {
                problems.add(name + " is not read by the application");
            }
            JsonNode secret = env.at("/valueFrom/secretKeyRef");
            if (!secret.isMissingNode()) {
                Matcher created = Pattern.compile("create secret generic " + secret.path("name").asText()
                        + "[^`]*--from-literal=" + Pattern.quote(secret.path("key").asText()) + "=").matcher(readme);
                if (!created.find()) {
                    problems.add(name + " reads secret key " + secret.path("key").asText() + ", which the README "
                            + "does not create");
                }
            }
            // secrets never appear as plain values (a _FILE variable names where a mounted secret is)
            if (name.contains("KEY") && !name.endsWith("_FILE") && env.has("value")) {
                problems.add(name + " is set in plain text");
            }
        }
        // a mounted Secret (the keys document) is created by the README too, with the file the variable names
        JsonNode pod = Descriptors.at(Descriptors.documents(DIR.resolve("service.yaml")).get(0), "/spec/template/spec");
        for (JsonNode mount : container.path("volumeMounts")) {
            JsonNode volume = null;
            for (JsonNode v : pod.path("volumes")) {
                if (v.path("name").asText().equals(mount.path("name").asText())) {
                    volume = v;
                }
            }
            if (volume == null || volume.at("/secret/secretName").isMissingNode()) {
                problems.add("mount " + mount.path("name").asText() + " is not a Secret volume");
                continue;
            }
            assertFalse(mount.has("subPath"), "a subPath mount never sees the Secret change");
            String file = null;
            for (JsonNode env : container.path("env")) {
                if (env.path("value").asText().startsWith(mount.path("mountPath").asText() + "/")) {
                    file = env.path("value").asText().substring(mount.path("mountPath").asText().length() + 1);
                }
            }
            if (file == null || !Pattern.compile("create secret generic " + volume.at("/secret/secretName").asText()
                    + "[^`]*--from-file=" + Pattern.quote(file) + "=").matcher(readme).find()) {
                problems.add("Secret " + volume.at("/secret/secretName").asText() + " mounted at "
                        + mount.path("mountPath").asText() + " holds no file a variable names, or the README does "
                        + "not create it");
            }
        }
        assertTrue(problems.isEmpty(), problems::toString);
        assertTrue(Files.readString(Path.of("src/main/resources/application.properties"))
                .contains("${IMAGEFN_SHUTDOWN_GRACE:"), "IMAGEFN_SHUTDOWN_GRACE is read by application.properties");
    }

    @Test
    void theProbePathsAnswer() throws Exception {
        JsonNode container = Descriptors.at(Descriptors.documents(DIR.resolve("service.yaml")).get(0),
                "/spec/template/spec/containers/0");
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            String path = container.at("/" + probe + "/httpGet/path").asText();
            given().when().get(path).then().statusCode(200);
        }
    }
}
