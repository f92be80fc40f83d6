package io.imagefn.lambdahttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.imagefn.support.Descriptors;

/** The function URL's entry in deploy/aws/template.yaml names a handler the lambda-http build has. */
class AwsFunctionUrlDescriptorTest {

    @Test
    void theFunctionUrlHandlerExistsInThisBuild() throws Exception {
        JsonNode http = Descriptors.documents(Path.of("deploy/aws/template.yaml")).get(0).at("/Resources/HttpFunction");
        JsonNode handler = http.at("/Properties/Handler");
        String jvm = handler.isArray() ? handler.get(1).asText() : handler.asText();
        assertTrue(jvm.endsWith("::handleRequest"), jvm);
        Class.forName(jvm.substring(0, jvm.indexOf("::")));
        assertEquals("AWS_IAM", http.at("/Properties/FunctionUrlConfig/AuthType").asText());
    }
}
