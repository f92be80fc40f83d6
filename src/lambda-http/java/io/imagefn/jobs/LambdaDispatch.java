package io.imagefn.jobs;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.ImagesApiException;
import io.imagefn.observe.Redaction;
import io.quarkus.logging.Log;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * The function-URL build's jobs: the front has written the job (its inputs staged in the bucket) and invokes the
 * worker function asynchronously ({@code InvocationType: Event}: Lambda queues the event, retries it, and sends it
 * to the OnFailure destination when it cannot be run); the event carries only the job's id, owner and holder token,
 * far under the 1 MB limit of an asynchronous payload. The front then answers 202; nothing runs after that in its
 * own (frozen) process.
 */
@ApplicationScoped
public class LambdaDispatch implements JobDispatch {

    private final ImagefnConfig config;
    private final ObjectMapper json;
    private volatile LambdaClient client;

    public LambdaDispatch(ImagefnConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    @Override
    public boolean available() {
        return config.jobs().workerFunction().isPresent();
    }

    @Override
    public String token() {
        return "invoke-" + UUID.randomUUID();
    }

    @Override
    public void dispatch(String owner, String id, String token, Place place) {
        String function = config.jobs().workerFunction().orElseThrow();
        try {
            byte[] event = json.writeValueAsBytes(Map.of("job_id", id, "owner", owner, "token", token));
            int status = client().invoke(r -> r.functionName(function).invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromByteArray(event))).statusCode();
            Log.infof("Job %s handed to %s (Lambda answered %d)", id, function, status);
        } catch (SdkException | JsonProcessingException e) {
            // the record stays queued: the next poll after its lease dispatches it again
            Log.warnf("Job %s could not be handed to the worker function: %s", id, Redaction.forLog(e.getMessage()));
            throw new ImagesApiException(503, "api_error", null, "job_dispatch_failed", "The job was recorded but "
                    + "its worker could not be started; poll it: it is started again after its lease.",
                    java.time.Duration.ofSeconds(5));
        }
    }

    private LambdaClient client() {
        LambdaClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    var builder = LambdaClient.builder().httpClientBuilder(Apache5HttpClient.builder())
                            .region(Region.of(Optional.ofNullable(System.getenv("AWS_REGION"))
                                    .orElse(config.s3().region())));
                    config.jobs().lambdaEndpoint().ifPresent(builder::endpointOverride);
                    client = builder.build();
                }
                c = client;
            }
        }
        return c;
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
