package io.imagefn.openai;

import java.time.Duration;
import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.http.AsyncRequests;
import io.imagefn.http.CallerStream;
import io.imagefn.http.FormParts;
import io.imagefn.http.HttpOrigin;
import io.imagefn.http.RawMultipart;
import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.VariationRequest;
import io.imagefn.jobs.JobSubmissions;
import io.imagefn.observe.Binding;
import io.imagefn.pipeline.ImagePipeline;
import io.imagefn.pipeline.Origin;
import io.imagefn.pipeline.StreamRelay;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;

/**
 * The OpenAI Images API at {@code /v1/images}, so an official SDK works with only its base URL changed. The same
 * pipeline as the functions serves it (one implementation, two doors), with OpenAI's request encodings: JSON for
 * generations, multipart or JSON for edits, multipart for variations; {@code stream: true} answers with
 * server-sent events. {@code Prefer: respond-async} makes any of them a job ({@link JobsResource}).
 */
@Path("/v1/images")
public class ImagesResource {

    private static final String EVENT_STREAM = "text/event-stream";

    private final ImagePipeline pipeline;
    private final CurrentVertxRequest http;
    private final ImagefnConfig config;
    private final AsyncRequests async;
    private final JobSubmissions jobs;

    public ImagesResource(ImagePipeline pipeline, CurrentVertxRequest http, ImagefnConfig config,
            AsyncRequests async, JobSubmissions jobs) {
        this.pipeline = pipeline;
        this.http = http;
        this.config = config;
        this.async = async;
        this.jobs = jobs;
    }

    @POST
    @Path("/generations")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, EVENT_STREAM })
    public Response generations(Map<String, Object> body, @Context HttpHeaders headers) {
        AsyncRequests.Ask ask = async.take(headers.getRequestHeader(AsyncRequests.PREFER), body, false);
        GenerateRequest request = GenerateRequest.fromJson(ask.body());
        if (ask.async()) {
            Origin origin = origin(Binding.V1);
            return async.answer(jobs.generation(request, origin, ask.webhook()), origin,
                    request.responseFormat(), ask.preferences()).response();
        }
        if (Boolean.TRUE.equals(request.stream())) {
            return events(pipeline.streamGeneration(request, origin(Binding.V1_STREAM)));
        }
        return Response.ok(pipeline.generate(request, origin(Binding.V1))).build();
    }

    @POST
    @Path("/edits")
    @Consumes(RawMultipart.RAW)
    @Produces({ MediaType.APPLICATION_JSON, EVENT_STREAM })
    public Response editsForm(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @Context HttpHeaders headers) {
        FormParts parts = FormParts.parse(body, contentType);
        AsyncRequests.Ask ask = async.take(headers.getRequestHeader(AsyncRequests.PREFER), parts.text(), true);
        return edit(EditRequest.fromForm(ask.body(), parts.files("image", "image[]"), parts.file("mask")), ask);
    }

    @POST
    @Path("/edits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({ MediaType.APPLICATION_JSON, EVENT_STREAM })
    public Response editsJson(Map<String, Object> body, @Context HttpHeaders headers) {
        AsyncRequests.Ask ask = async.take(headers.getRequestHeader(AsyncRequests.PREFER), body, false);
        return edit(EditRequest.fromJson(ask.body()), ask);
    }

    @POST
    @Path("/variations")
    @Consumes(RawMultipart.RAW)
    @Produces(MediaType.APPLICATION_JSON)
    public Response variations(byte[] body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @Context HttpHeaders headers) {
        FormParts parts = FormParts.parse(body, contentType);
        AsyncRequests.Ask ask = async.take(headers.getRequestHeader(AsyncRequests.PREFER), parts.text(), true);
        VariationRequest request = VariationRequest.fromForm(ask.body(), parts.file("image"));
        if (ask.async()) {
            Origin origin = origin(Binding.V1);
            return async.answer(jobs.variation(request, origin, ask.webhook()), origin,
                    request.responseFormat(), ask.preferences()).response();
        }
        return Response.ok(pipeline.variation(request, origin(Binding.V1))).build();
    }

    private Response edit(EditRequest request, AsyncRequests.Ask ask) {
        if (ask.async()) {
            Origin origin = origin(Binding.V1);
            return async.answer(jobs.edit(request, origin, ask.webhook()), origin, request.responseFormat(),
                    ask.preferences()).response();
        }
        if (Boolean.TRUE.equals(request.stream())) {
            return events(pipeline.streamEdit(request, origin(Binding.V1_STREAM)));
        }
        return Response.ok(pipeline.edit(request, origin(Binding.V1))).build();
    }

    private Origin origin(Binding binding) {
        return HttpOrigin.of(binding, http.getCurrent());
    }

    /** The relay's events, written under the per-write deadline that drops a caller who stops reading. */
    private Response events(StreamRelay relay) {
        HttpServerRequest request = http.getCurrent().request();
        Duration deadline = config.streams().writeTimeout();
        // a response whose writing never starts (its caller left first) must not keep the upstream stream
        relay.abandonUnlessStartedWithin(deadline);
        StreamingOutput output = out -> relay.writeTo(CallerStream.of(out, request.response(), request.connection(),
                deadline, relay::callerGone));
        return Response.ok(output, EVENT_STREAM)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }
}
