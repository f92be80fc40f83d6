package io.imagefn.openai;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * The OpenAPI document of {@code /v1} at {@code /q/openapi}, served as the static file it is
 * ({@code imagefn/openapi.json}, written by hand from OpenAI's). A document read and rebuilt at every start would cost
 * the start hundreds of classes for nothing. JSON is also YAML, so the default (YAML) and {@code ?format=json} answer
 * the same bytes, under their own media types.
 */
@Path("/q/openapi")
public class OpenApiResource {

    private static final byte[] DOCUMENT = read();

    private static byte[] read() {
        try (InputStream in = OpenApiResource.class.getClassLoader().getResourceAsStream("imagefn/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("imagefn/openapi.json is missing from the application");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    public Response document(@QueryParam("format") String format) {
        boolean json = "json".equalsIgnoreCase(format);
        return Response.ok(DOCUMENT, json ? "application/json" : "application/yaml;charset=UTF-8").build();
    }
}
