package io.imagefn.pipeline;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.Edit;
import io.imagefn.images.EditRequest;
import io.imagefn.images.GenerateRequest;
import io.imagefn.images.ImageBytes;
import io.imagefn.images.EstimatedCost;
import io.imagefn.images.Generation;
import io.imagefn.images.ImageFormat;
import io.imagefn.images.ImageModel;
import io.imagefn.images.ImageRequest;
import io.imagefn.images.ImageRules;
import io.imagefn.images.InputRules;
import io.imagefn.images.ImagesApiException;
import io.imagefn.images.ImagesResponse;
import io.imagefn.images.InputImage;
import io.imagefn.images.Variation;
import io.imagefn.images.VariationRequest;
import io.imagefn.idempotency.Idempotency;
import io.imagefn.idempotency.StoredResponse;
import io.imagefn.inputs.ImageInputs;
import io.imagefn.memory.MemoryBudget;
import io.imagefn.observe.Binding;
import io.imagefn.observe.RequestRecord;
import io.imagefn.observe.Telemetry;
import io.imagefn.pricing.CostEstimator;
import io.imagefn.storage.ImageStore;
import io.imagefn.upstream.CallerErrors;
import io.imagefn.upstream.UpstreamClient;
import io.imagefn.upstream.UpstreamScope;
import io.imagefn.upstream.UpstreamStream;
import io.imagefn.limits.Admission;
import io.imagefn.upstream.UpstreamDownloads;
import io.imagefn.upstream.UpstreamAnswer;
import io.imagefn.upstream.UpstreamImages;
import io.opentelemetry.context.Scope;

/**
 * One implementation behind every binding: validate (no upstream call for a bad request), call the upstream, store
 * every image and sign its URL. An image the upstream produced is never dropped: if it cannot be stored it is returned
 * inline instead.
 */
@ApplicationScoped
public class ImagePipeline {

    private final ImagefnConfig config;
    private final UpstreamClient upstream;
    private final UpstreamScope scope;
    private final Admission admission;
    private final ImageStore store;
    private final ImageInputs inputs;
    private final ObjectMapper json;
    private final Telemetry telemetry;
    private final CostEstimator costs;
    private final Idempotency idempotency;
    private final UpstreamDownloads downloads;
    private final MemoryBudget memory;

    public ImagePipeline(ImagefnConfig config, UpstreamClient upstream, ImageStore store, ImageInputs inputs,
            ObjectMapper json, Telemetry telemetry, CostEstimator costs, Idempotency idempotency,
            UpstreamDownloads downloads, MemoryBudget memory, UpstreamScope scope, Admission admission) {
        this.scope = scope;
        this.admission = admission;
        this.downloads = downloads;
        this.memory = memory;
        this.config = config;
        this.upstream = upstream;
        this.store = store;
        this.inputs = inputs;
        this.json = json;
        this.telemetry = telemetry;
        this.costs = costs;
        this.idempotency = idempotency;
    }

    public ImagesResponse generate(GenerateRequest request, Origin origin) {
        return observed("generate", origin, (record, held) -> {
            Generation generation = record.validate(request.model(), () -> {
                Generation g = ImageRules.validate(request, allowUnknownModels());
                refuseStreaming(request.stream());
                return g;
            });
            record.accepted(generation.model(), request.n(), request.prompt());
            return paid(record, origin, "generate", request, ask(generation.model(), request, request.prompt(), 0),
                    request.quality(), () -> upstream.generate(generation));
        });
    }

    public ImagesResponse edit(EditRequest request, Origin origin) {
        return observed("edit", origin, (record, held) -> {
            Edit edit = record.validate(request.model(), () -> {
                Edit e = ImageRules.validateEdit(request, allowUnknownModels());
                refuseStreaming(request.stream());
                scope.checkEdit(request);
                allowed(origin, e.model());
                return e;
            });
            record.accepted(edit.model(), request.n(), request.prompt());
            EditInputs in = load(edit, origin.owner(), held);
            return paid(record, origin, "edit", request, ask(edit.model(), request, request.prompt(),
                    inputs(request)), request.quality(), () -> upstream.edit(edit, in.images(), in.mask()));
        });
    }

    public ImagesResponse variation(VariationRequest request, Origin origin) {
        return observed("variation", origin, (record, held) -> {
            Variation variation = record.validate(request.model(), () -> {
                Variation v = ImageRules.validateVariation(request, allowUnknownModels());
                scope.checkVariation();
                allowed(origin, v.model());
                return v;
            });
            record.accepted(variation.model(), request.n(), null);
            InputImage image = inputs.load(request.image(), origin.owner(), held);
            InputRules.checkVariationInput(image);
            return paid(record, origin, "variation", request, ask(variation.model(), request, null, 1), null,
                    () -> upstream.variation(variation, image));
        });
    }

    /**
     * The part that costs money, once per idempotency key: the upstream call, then every image stored (or handed back
     * inline), answered as {@link #inline} says.
     */
    private ImagesResponse paid(RequestRecord record, Origin origin, String function, ImageRequest request,
            Admission.Ask ask, String quality, Supplier<UpstreamAnswer> upstreamCall) {
        ImageModel model = ask.model();
        boolean inline = inline(origin, model, request.responseFormat());
        return once(record, origin, function, request.idempotencyKey(), request.fingerprint(), inline, () -> {
            // admitted once the request will run (a replay pays and counts nothing), before anything is paid
            Admission.Ticket ticket = admission.admit(origin, ask);
            record.key(ticket.key().name());
            try {
                return produce(record, ticket, model, request.size(), quality, upstreamCall, new Kept(inline,
                        origin.owner()));
            } finally {
                ticket.close();
            }
        });
    }

    /** What a request may cost, for its key's reservation. */
    private static Admission.Ask ask(ImageModel model, ImageRequest request, String prompt, int inputImages) {
        long promptBytes = prompt == null ? 0 : prompt.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return new Admission.Ask(model, request.n() == null ? 1 : request.n(), request.size(),
                request instanceof ImageRequest.Prompted p ? p.quality() : null, promptBytes, inputImages);
    }

    private static int inputs(EditRequest request) {
        return request.images().size() + (request.mask() == null ? 0 : 1);
    }

    /** A model the caller's key may not use is refused while validating: before any input is fetched. */
    private void allowed(Origin origin, ImageModel model) {
        admission.checkModel(origin, model);
    }

    /**
     * Whether the answer carries each image inline ({@code b64_json}) besides its signed URL: when
     * {@code response_format} asks for it, for any model; without it, on {@code /v1} for the GPT image models,
     * which OpenAI answers with {@code b64_json} only (the OpenAI SDKs' documented code reads it). The functions
     * answer URLs unless asked.
     */
    public static boolean inline(Origin origin, ImageModel model, String responseFormat) {
        if (responseFormat != null) {
            return "b64_json".equals(responseFormat);
        }
        return origin.binding() == Binding.V1 && model.answer().inlineOnV1();
    }

    /** Runs the upstream call and storage once per idempotency key (see {@link Idempotency}). */
    private ImagesResponse once(RequestRecord record, Origin origin, String function, String fieldKey,
            String fingerprint, boolean inline, Supplier<StoredResponse> work) {
        Idempotency.Outcome outcome = idempotency.once(origin.key(fieldKey), origin.scope(), function, fingerprint,
                inline, work);
        if (outcome.answer() == Idempotency.Answer.REPLAYED) {
            record.replayed();
        }
        return outcome.response();
    }

    /**
     * {@code stream: true} generations: validated and opened here, so a failure before any event is a real status.
     * The request's record is finished by the relay when the stream ends.
     */
    public StreamRelay streamGeneration(GenerateRequest request, Origin origin) {
        return observedStream("generate", (record, held) -> {
            Generation generation = record.validate(request.model(), () -> {
                Generation g = ImageRules.validate(request, allowUnknownModels());
                refuseIdempotencyKey(origin.key(request.idempotencyKey()));
                return g;
            });
            record.accepted(generation.model(), request.n(), request.prompt());
            Admission.Ticket ticket = admitted(record, origin, ask(generation.model(), request, request.prompt(), 0));
            return new StreamRelay(open(record, ticket, () -> upstream.openGenerationStream(generation)), store, json,
                    record, costs, generation.model().name(), origin.owner(), held, ticket);
        });
    }

    private Admission.Ticket admitted(RequestRecord record, Origin origin, Admission.Ask ask) {
        Admission.Ticket ticket = admission.admit(origin, ask);
        record.key(ticket.key().name());
        return ticket;
    }

    /**
     * Opens a stream under its ticket: a failure before the first event is judged by whether it may have been paid;
     * once open, the relay settles the ticket when the stream ends.
     */
    private static UpstreamStream open(RequestRecord record, Admission.Ticket ticket,
            Supplier<UpstreamStream> opening) {
        return call(record, () -> {
            try {
                return opening.get();
            } catch (RuntimeException failure) {
                ticket.failed(failure);
                throw failure;
            } catch (Error unforeseen) {
                ticket.close();
                throw unforeseen;
            }
        });
    }

    /** {@code stream: true} edits. */
    public StreamRelay streamEdit(EditRequest request, Origin origin) {
        return observedStream("edit", (record, held) -> {
            Edit edit = record.validate(request.model(), () -> {
                Edit e = ImageRules.validateEdit(request, allowUnknownModels());
                refuseIdempotencyKey(origin.key(request.idempotencyKey()));
                scope.checkEdit(request);
                return e;
            });
            record.accepted(edit.model(), request.n(), request.prompt());
            EditInputs in = load(edit, origin.owner(), held);
            Admission.Ticket ticket = admitted(record, origin, ask(edit.model(), request, request.prompt(),
                    inputs(request)));
            return new StreamRelay(open(record, ticket, () -> upstream.openEditStream(edit, in.images(), in.mask())),
                    store, json, record, costs, edit.model().name(), origin.owner(), held, ticket);
        });
    }

    private boolean allowUnknownModels() {
        return config.upstream().allowUnknownModels();
    }

    /**
     * Runs one request under its record: the span is current while it runs, the outcome is recorded once, and the
     * input bytes it held ({@link MemoryBudget.Lease}) are given back when it ends. Running out of memory anywhere
     * in it is imagefn's own 503, never an upstream failure or a 500.
     */
    private ImagesResponse observed(String function, Origin origin,
            BiFunction<RequestRecord, MemoryBudget.Lease, ImagesResponse> work) {
        RequestRecord record = telemetry.start(function, origin.binding());
        try (MemoryBudget.Lease held = memory.lease()) {
            ImagesResponse response;
            try (Scope ignored = record.activate()) {
                response = work.apply(record, held);
            }
            record.succeeded();
            return response;
        } catch (OutOfMemoryError e) {
            ImagesApiException out = ImagesApiException.outOfMemory("while handling the request");
            record.failed(out);
            throw out;
        } catch (ImagesApiException e) {
            record.failed(e);
            throw e;
        } catch (RuntimeException e) {
            record.crashed(e);
            throw e;
        }
    }

    /** As {@link #observed}, but success is recorded, and the held bytes given back, when the stream ends. */
    private StreamRelay observedStream(String function,
            BiFunction<RequestRecord, MemoryBudget.Lease, StreamRelay> open) {
        RequestRecord record = telemetry.start(function, Binding.V1_STREAM);
        MemoryBudget.Lease held = memory.lease();
        try (Scope ignored = record.activate()) {
            return open.apply(record, held);
        } catch (OutOfMemoryError e) {
            held.close();
            ImagesApiException out = ImagesApiException.outOfMemory("while opening the stream");
            record.failed(out);
            throw out;
        } catch (ImagesApiException e) {
            held.close();
            record.failed(e);
            throw e;
        } catch (RuntimeException e) {
            held.close();
            record.crashed(e);
            throw e;
        }
    }

    private record EditInputs(List<InputImage> images, InputImage mask) {
    }

    /** Fetches and measures an edit's images and mask, then applies the byte-level rules. */
    private EditInputs load(Edit edit, String owner, MemoryBudget.Lease held) {
        EditRequest request = edit.request();
        List<InputImage> images = request.images().stream().map(ref -> inputs.load(ref, owner, held)).toList();
        InputImage mask = request.mask() == null ? null : inputs.load(request.mask(), owner, held);
        InputRules.checkEditInputs(edit.model(), images, mask);
        return new EditInputs(images, mask);
    }

    private static void refuseIdempotencyKey(Optional<String> key) {
        if (key.isPresent()) {
            throw ImagesApiException.invalid("idempotency_key", "unsupported_parameter",
                    "Idempotency keys are not supported with stream: true; a stream cannot be replayed. Send the "
                            + "request without stream to make it idempotent.");
        }
    }

    private static void refuseStreaming(Boolean stream) {
        if (Boolean.TRUE.equals(stream)) {
            throw ImagesApiException.invalid("stream", "unsupported_parameter",
                    "The functions answer with one JSON response; streaming is not served by them.");
        }
    }

    /**
     * The upstream call (retried and guarded by the fault tolerance), then its answer read as it arrives: each image
     * is stored as soon as it is complete (one image held at a time), an image answered as a URL is downloaded first,
     * with its own retries, so that a failed download never runs the paid call again. A failure after some images
     * were stored says where they are.
     */
    private StoredResponse produce(RequestRecord record, Admission.Ticket ticket, ImageModel model, String askedSize,
            String askedQuality, Supplier<UpstreamAnswer> upstreamCall, Kept kept) {
        try (UpstreamAnswer answer = call(record, () -> {
            try {
                return upstreamCall.get();
            } catch (RuntimeException failure) {
                // told before it is translated for the caller: whether it may have been paid is read from it
                ticket.failed(failure);
                throw failure;
            }
        })) {
            record.upstreamRequestId(answer.requestId());
            String requestId = answer.requestId().orElse("-");
            UpstreamImages produced;
            try {
                produced = call(record, () -> answer.read(json, image -> keep(record, image, requestId, kept)));
            } catch (ImagesApiException e) {
                // the answer had begun: the images are billed, whatever happened to them after
                ticket.paid(Optional.empty());
                throw kept.after(e);
            } catch (OutOfMemoryError e) {
                ticket.paid(Optional.empty());
                throw kept.after(ImagesApiException.outOfMemory("while reading the upstream's answer ("
                        + answer.received() + " images received)"));
            }
            Optional<EstimatedCost> cost = costs.estimate(model.name(), produced.count(),
                    produced.size() != null ? produced.size() : askedSize,
                    produced.quality() != null ? produced.quality() : askedQuality, produced.usage());
            record.cost(cost);
            ticket.paid(cost.map(EstimatedCost::usd));
            return new StoredResponse(new ImagesResponse(produced.created(), kept.data, produced.background(),
                    produced.outputFormat(), produced.quality(), produced.size(), produced.usage(),
                    cost.orElse(null)), kept.where);
        }
    }

    /** One image, as soon as the answer has it: stored, or handed back inline when it cannot be; never dropped. */
    private void keep(RequestRecord record, UpstreamImages.Image image, String requestId, Kept kept) {
        ImageBytes bytes = image.bytes() != null ? image.bytes() : downloads.download(image.url(), requestId);
        ImageFormat format = bytes.format().orElseThrow(() -> new ImagesApiException(502, "api_error", null,
                "bad_upstream_response", "The upstream returned data that is not a PNG, JPEG or WebP image (upstream "
                        + "request " + requestId + ").", null));
        Optional<ImageStore.StoredImage> stored = store.tryPut(bytes, format, "an image of upstream request "
                + requestId, kept.owner);
        record.image(stored.isPresent());
        // an image that could not be stored goes inline whatever was asked
        String b64 = kept.inline || stored.isEmpty() ? Base64.getEncoder().encodeToString(bytes.toByteArray()) : null;
        kept.where.add(stored.orElse(null));
        kept.data.add(stored.map(s -> ImagesResponse.ImageData.stored(s.url().toString(), b64, image.revisedPrompt(),
                s.id(), s.expiresAt().getEpochSecond()))
                .orElseGet(() -> ImagesResponse.ImageData.unstored(b64, image.revisedPrompt())));
    }

    /** The images of one answer kept so far, and how to keep the next. */
    private static final class Kept {
        final boolean inline;
        final String owner;
        final List<ImagesResponse.ImageData> data = new ArrayList<>();
        final List<ImageStore.StoredImage> where = new ArrayList<>();

        Kept(boolean inline, String owner) {
            this.inline = inline;
            this.owner = owner;
        }

        /** {@code failure}, saying where the images stored before it are: they were paid for. */
        ImagesApiException after(ImagesApiException failure) {
            List<String> stored = where.stream().filter(w -> w != null).map(w -> w.id() + " (" + w.url() + ")")
                    .toList();
            if (stored.isEmpty()) {
                return failure;
            }
            return failure.withMessage(failure.getMessage() + " The " + stored.size() + " image(s) received before "
                    + "that were stored and can be fetched until their URLs expire: " + String.join(", ", stored));
        }
    }

    /** Runs an upstream call; its failures become what the caller should see ({@link CallerErrors}). */
    private static <T> T call(RequestRecord record, Supplier<T> upstreamCall) {
        record.callingUpstream();
        return CallerErrors.translate(upstreamCall, record::upstreamRequestId);
    }
}
