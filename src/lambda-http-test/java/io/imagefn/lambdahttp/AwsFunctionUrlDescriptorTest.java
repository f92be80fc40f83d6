package io.imagefn.lambdahttp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.imagefn.support.Descriptors;

/**
 * The function URL's entry in the JVM template (deploy/aws/template.yaml) names a handler the lambda-http build has.
 * The template as a whole is judged by AWS's SAM translator in the Lambda build (SamTemplatesTest).
 */
class AwsFunctionUrlDescriptorTest {

    @Test
    void theFunctionUrlHandlerExistsInThisBuild() throws Exception {
        String handler = Descriptors.documents(Path.of("deploy/aws/template.yaml")).get(0)
                .at("/Resources/HttpFunction/Properties/Handler").asText();
        assertTrue(handler.endsWith("::handleRequest"), handler);
        Class.forName(handler.substring(0, handler.indexOf("::")));
    }
}
