package io.imagefn.lifecycle;

import java.util.List;
import java.util.Map;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImageModel;
import io.imagefn.images.ImageRules;
import io.imagefn.images.ImagesResponse;
import io.imagefn.limits.KeyRegistry;
import io.imagefn.pricing.CostEstimator;
import io.imagefn.storage.ImageStore;
import io.imagefn.upstream.UpstreamConnection;
import io.imagefn.upstream.UpstreamKey;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/**
 * Lambda SnapStart hooks (CRaC {@link Resource}; on a JVM without checkpoint/restore they never run), and the same
 * priming at startup ({@code imagefn.prime-at-start}, on by default).
 * <p>
 * Before the checkpoint, the work every first request would otherwise do goes into the snapshot: the S3 client and
 * presigner are built and one URL is signed (local work, nothing is sent), the REST client is built, the model and
 * price tables are loaded, and a request is read, validated and an answer written with Jackson. Nothing is sent to
 * the upstream or the bucket: a snapshot is taken once per published version, and a paid call there would be waste.
 * <p>
 * After a restore, what must not be shared by the instances restored from one snapshot is made anew: the generator of
 * image ids (a copied generator would hand two instances the same ids), the storage clients with their cached
 * credentials, the upstream key and the keys document read from Secrets Manager (a snapshot can be older than a key
 * rotation or a revoked key).
 */
@ApplicationScoped
public class SnapStartPriming implements Resource {

    private final ImageStore store;
    private final UpstreamConnection upstream;
    private final UpstreamKey key;
    private final KeyRegistry keys;
    private final CostEstimator costs;
    private final ObjectMapper json;
    private final boolean primeAtStart;

    public SnapStartPriming(ImageStore store, UpstreamConnection upstream, UpstreamKey key, KeyRegistry keys,
            CostEstimator costs, ObjectMapper json, ImagefnConfig config) {
        this.keys = keys;
        this.store = store;
        this.upstream = upstream;
        this.key = key;
        this.costs = costs;
        this.json = json;
        this.primeAtStart = config.primeAtStart();
    }

    // after imagefn's own startup checks (storage and upstream configured), which must fail first and clearly
    void register(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER + 100) StartupEvent start) {
        // the global context holds resources weakly: this application-scoped instance lives as long as the app
        Core.getGlobalContext().register(this);
        if (primeAtStart) {
            try {
                prime();
            } catch (JsonProcessingException | RuntimeException e) {
                // e.g. no credentials resolvable yet: the first request builds the clients and reports it properly
                Log.warnf("Priming at startup failed (%s); the first request will build the clients",
                        e.getClass().getSimpleName());
            }
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) throws JsonProcessingException {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        store.afterRestore();
        key.refresh();
        key.get(); // fails here, at restore, if the secret can no longer be read
        keys.reloadNow(); // a snapshot can be older than a revoked key or a lowered budget
        Log.info("Restored from a snapshot: id generator, storage clients, upstream key and keys document renewed");
    }

    /** The work done before a checkpoint; see the class comment. */
    public void prime() throws JsonProcessingException {
        store.prime();
        boolean upstreamClient = upstream.prime();
        GenerateRequest request = json.convertValue(Map.of("prompt", "primed", "model", ImageModel.GPT_IMAGE_1),
                GenerateRequest.class);
        ImageRules.validate(request, false);
        costs.estimate(ImageModel.GPT_IMAGE_1, 1, "1024x1024", "low", null);
        json.writeValueAsString(new ImagesResponse(0, List.of(ImagesResponse.ImageData.stored("https://primed", null,
                null, "img_primed", 0L)), null, null, null, null, null, null));
        Log.infof("Primed: storage clients, %s, %d models, prices, JSON",
                upstreamClient ? "upstream client" : "not the emulator's client", ImageModel.KNOWN.size());
    }
}
