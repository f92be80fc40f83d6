package io.imagefn.jobs;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImagesApiException;
import io.imagefn.observe.Redaction;
import io.quarkus.logging.Log;

/**
 * The Knative build's jobs: the HTTP front hands each job to the broker as an {@code imagefn.job.requested}
 * CloudEvent (written with the CloudEvents Java SDK, binary mode) at the sink a SinkBinding injects ({@code K_SINK}) or
 * {@code imagefn.jobs.sink}; a Trigger routes it to the worker function ({@code run-job}), whose reply event
 * ({@code imagefn.job.completed|failed|cancelled}) goes back into the broker for users' own Triggers. The broker's
 * delivery (retries, dead letters) is the queue. Without a sink, jobs run in the instance that took them.
 */
@ApplicationScoped
public class CloudEventDispatch implements JobDispatch {

    public static final String REQUESTED = "imagefn.job.requested";

    private final ImagefnConfig config;
    private final JobRunner runner;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

    public CloudEventDispatch(ImagefnConfig config, JobRunner runner, ObjectMapper json) {
        this.config = config;
        this.runner = runner;
        this.json = json;
    }

    private Optional<URI> sink() {
        return config.jobs().sink().or(() -> Optional.ofNullable(System.getenv("K_SINK")).filter(s -> !s.isBlank())
                .map(URI::create));
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String token() {
        return sink().isPresent() ? "event-" + UUID.randomUUID() : runner.instance();
    }

    /** With a broker, the broker queues; without one, this instance's bounded queue. */
    @Override
    public Place reserve() {
        return sink().isPresent() ? Place.NONE : runner.reservePlace();
    }

    @Override
    public void dispatch(String owner, String id, String token, Place place) {
        Optional<URI> sink = sink();
        if (sink.isEmpty()) {
            runner.submit(owner, id, place);
            return;
        }
        try {
            CloudEvent event = CloudEventBuilder.v1().withId(id + "." + token).withSource(URI.create("imagefn"))
                    .withType(REQUESTED).withSubject(id).withDataContentType("application/json")
                    .withData(json.writeValueAsBytes(Map.of("job_id", id, "owner", owner, "token", token))).build();
            HttpRequest.Builder request = HttpRequest.newBuilder(sink.get()).timeout(Duration.ofSeconds(15));
            byte[][] body = new byte[1][];
            HttpMessageFactory.createWriter(request::header, bytes -> body[0] = bytes).writeBinary(event);
            HttpResponse<String> answer = http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body[0]))
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (answer.statusCode() / 100 != 2) {
                throw new IOException("the sink answered HTTP " + answer.statusCode());
            }
        } catch (IOException e) {
            throw failed(id, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(id, e);
        }
    }

    private static ImagesApiException failed(String id, Exception e) {
        Log.warnf("Job %s could not be handed to the broker: %s", id, Redaction.forLog(String.valueOf(e.getMessage())));
        return new ImagesApiException(503, "api_error", null, "job_dispatch_failed", "The job could not be handed to "
                + "the event broker. Retry shortly.", Duration.ofSeconds(5));
    }
}
