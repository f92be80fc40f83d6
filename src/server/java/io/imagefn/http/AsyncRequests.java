package io.imagefn.http;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.VariationRequest;
import io.imagefn.jobs.ImageJob;
import io.imagefn.jobs.JobLookup;
import io.imagefn.jobs.JobSubmissions;
import io.imagefn.jobs.JobWait;
import io.imagefn.jobs.Preferences;
import io.imagefn.observe.Binding;
import io.imagefn.pipeline.Origin;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code Prefer: respond-async} on both doors: the {@code /v1/images/*} resource asks {@link #take} and
 * {@link #answer}; the function paths ({@code /generate}, {@code /edit}, {@code /variation}) are answered by the route
 * below before Funqy sees them. A request without the preference goes on unchanged. The optional {@code webhook} and
 * {@code webhook_events} fields are taken out of the body (JSON) or form (multipart, {@code webhook_events} comma
 * separated) before the request is read, so the Images API's own fields are judged as before.
 */
@ApplicationScoped
public class AsyncRequests {

    public static final String PREFER = "Prefer";
    public static final String WEBHOOK = "webhook";
    public static final String EVENTS = "webhook_events";

    private final JobSubmissions jobs;
    private final JobLookup lookup;
    private final JobWait waits;
    private final ObjectMapper json;

    public AsyncRequests(JobSubmissions jobs, JobLookup lookup, JobWait waits, ObjectMapper json) {
        this.jobs = jobs;
        this.lookup = lookup;
        this.waits = waits;
        this.json = json;
    }

    /**
     * What a request asked for beyond the Images API.
     *
     * @param body the request's fields without the webhook's
     */
    public record Ask(Preferences preferences, boolean async, JobSubmissions.WebhookAsk webhook, Map<String, Object> body) {
    }

    /** Reads the preferences and takes the webhook fields out of {@code fields} (a JSON body or a form's text). */
    public Ask take(List<String> prefer, Map<String, Object> fields, boolean form) {
        Preferences preferences = Preferences.of(prefer);
        boolean async = preferences.respondAsync() && jobs.served();
        Map<String, Object> body = fields == null ? new LinkedHashMap<>() : new LinkedHashMap<>(fields);
        Object url = body.remove(WEBHOOK);
        Object events = body.remove(EVENTS);
        if (url == null && events == null) {
            return new Ask(preferences, async, null, body);
        }
        if (!async) {
            throw ImagesApiException.invalid(url != null ? WEBHOOK : EVENTS, "unsupported_parameter", "'" + (url != null
                    ? WEBHOOK : EVENTS) + "' applies to jobs: send the request with the header Prefer: respond-async"
                    + (jobs.served() ? "." : " (not served by this deployment: AWS Lambda freezes the process after "
                            + "answering)."));
        }
        if (!(url instanceof String u) || u.isBlank()) {
            throw ImagesApiException.invalid(WEBHOOK, url == null ? "missing_required_parameter" : "invalid_type",
                    "Invalid 'webhook': expected an https URL" + (url == null ? " with webhook_events." : "."));
        }
        return new Ask(preferences, true, new JobSubmissions.WebhookAsk(u, events(events, form)), body);
    }

    private static List<String> events(Object events, boolean form) {
        if (events == null) {
            return null;
        }
        if (form && events instanceof String s) {
            return List.of(s.split("\\s*,\\s*"));
        }
        if (events instanceof List<?> l && l.stream().allMatch(e -> e instanceof String)) {
            return l.stream().map(String.class::cast).toList();
        }
        throw ImagesApiException.invalid(EVENTS, "invalid_type", "Invalid 'webhook_events': expected an array of "
                + "event names" + (form ? " (a comma-separated list in a form)." : "."));
    }

    /** An answer: its status, headers and body, for either door to write. */
    public record Answer(int status, Map<String, String> headers, Object body) {

        public Response response() {
            Response.ResponseBuilder r = Response.status(status).entity(body).type("application/json");
            headers.forEach(r::header);
            return r.build();
        }
    }

    /**
     * The submitted job's answer: with {@code wait=N}, the request's own 200 (or its error) if the job finishes in
     * time; otherwise 202 with the job, where to poll it ({@code Location}, {@code Operation-Location}) and when
     * ({@code Retry-After}).
     */
    public Answer answer(ImageJob job, Origin origin, String responseFormat, Preferences preferences) {
        // the wait this answer gets, capped once, and said as it was applied
        Optional<Duration> waited = preferences.await().map(waits::applied);
        if (waited.isPresent()) {
            Optional<ImagesResponse> done = waits.await(job, origin, responseFormat, waited.get());
            if (done.isPresent()) {
                return new Answer(200, Map.of("Preference-Applied", "wait=" + waited.get().toSeconds()), done.get());
            }
        }
        ImageJob now = lookup.get(origin.owner(), job.id()).orElse(job);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Location", now.urls().get());
        headers.put("Operation-Location", now.urls().get());
        headers.put("Retry-After", "5");
        headers.put("Preference-Applied", Preferences.applied(waited));
        return new Answer(202, headers, now);
    }

    void register(@Observes Router router) {
        // after the body handler and the body budget (Integer.MIN_VALUE + 2), before Funqy's routes
        router.route().order(Integer.MIN_VALUE + 3).handler(this::functions);
    }

    private void functions(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (!FunctionRequests.FUNCTION_PATHS.contains(path) || !Preferences.of(ctx.request().headers().getAll(PREFER))
                .respondAsync() || !jobs.served()) {
            ctx.next();
            return;
        }
        ctx.vertx().<Answer>executeBlocking(() -> submitFunction(ctx, path), false).onComplete(done -> {
            if (done.failed()) {
                Throwable e = done.cause();
                HttpErrors.send(ctx, e instanceof ImagesApiException a ? a : HttpErrors.forStatus(500, null), path);
                return;
            }
            Answer answer = done.result();
            try {
                ctx.response().setStatusCode(answer.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
                answer.headers().forEach(ctx.response()::putHeader);
                ctx.response().end(io.vertx.core.buffer.Buffer.buffer(json.writeValueAsBytes(answer.body())));
            } catch (JsonProcessingException e) {
                HttpErrors.send(ctx, HttpErrors.forStatus(500, null), path);
            }
        });
    }

    private Answer submitFunction(RoutingContext ctx, String path) {
        Map<String, Object> fields;
        try {
            byte[] raw = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
            fields = raw.length == 0 ? Map.of() : json.readValue(raw, new TypeReference<Map<String, Object>>() {
            });
        } catch (JsonProcessingException e) {
            throw HttpErrors.invalidJson(e);
        } catch (IOException e) {
            throw HttpErrors.invalidJson();
        }
        Ask ask = take(ctx.request().headers().getAll(PREFER), fields, false);
        Origin origin = HttpOrigin.of(Binding.HTTP, ctx);
        return switch (path) {
            case "/generate" -> {
                GenerateRequest r = GenerateRequest.fromJson(ask.body());
                yield answer(jobs.generation(r, origin, ask.webhook()), origin, r.responseFormat(),
                        ask.preferences());
            }
            case "/edit" -> {
                EditRequest r = EditRequest.fromJson(ask.body());
                yield answer(jobs.edit(r, origin, ask.webhook()), origin, r.responseFormat(), ask.preferences());
            }
            default -> {
                VariationRequest r = VariationRequest.fromJson(ask.body());
                yield answer(jobs.variation(r, origin, ask.webhook()), origin, r.responseFormat(),
                        ask.preferences());
            }
        };
    }

}
