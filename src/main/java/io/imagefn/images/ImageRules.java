package io.imagefn.images;

import java.util.Set;
import java.util.TreeSet;

import io.imagefn.images.ImageModel.Operation;
import io.imagefn.images.ImageModel.Param;

/**
 * The Images API's validation rules (spec §2 to §4), applied before any money is spent upstream. Each violation is a
 * 400 {@code invalid_request_error} naming the field.
 */
public final class ImageRules {

    private static final Set<String> RESPONSE_FORMATS = Set.of("url", "b64_json");
    private static final Set<String> OUTPUT_FORMATS = Set.of("png", "jpeg", "webp");
    private static final Set<String> BACKGROUNDS = Set.of("transparent", "opaque", "auto");
    private static final Set<String> MODERATIONS = Set.of("low", "auto");
    private static final Set<String> STYLES = Set.of("vivid", "natural");
    private static final Set<String> GPT_ONLY_QUALITIES = Set.of("low", "medium", "high");
    private static final Set<String> GPT_ONLY_SIZES = Set.of("1536x1024", "1024x1536", "auto");

    /** Spec §3: at most 16 input images for the GPT image models. */
    public static final int MAX_EDIT_IMAGES = 16;

    private static final Set<String> INPUT_FIDELITIES = Set.of("high", "low");
    private static final Set<String> VARIATION_SIZES = Set.of("256x256", "512x512", "1024x1024");

    private ImageRules() {
    }

    /** Validates a generation and resolves its model; throws the first violation. */
    public static Generation validate(GenerateRequest r, boolean allowUnknownModels) {
        if (r == null) {
            throw missing("prompt");
        }
        if (!r.problems().isEmpty()) {
            throw r.problems().get(0);
        }
        ImageModel model = resolveModel(r.model(), defaultGenerationModel(r), Operation.GENERATE, allowUnknownModels);
        checkPromptedImage(model, r);
        if (r.style() != null) {
            onlyFor(Param.STYLE, model);
            oneOf("style", r.style(), STYLES);
        }
        checkGptOutput(model, r);
        if (r.moderation() != null) {
            onlyFor(Param.MODERATION, model);
            oneOf("moderation", r.moderation(), MODERATIONS);
        }
        checkStreaming(model, r);
        return new Generation(model, r);
    }

    /** Validates an edit's fields and resolves its model (default gpt-image-1.5 since Feb 2026); bytes come later. */
    public static Edit validateEdit(EditRequest r, boolean allowUnknownModels) {
        if (r == null) {
            throw missing("images");
        }
        if (r.imageCount() > MAX_EDIT_IMAGES) {
            throw ImagesApiException.invalid("images", "array_above_max_length", "Invalid 'images': at most "
                    + MAX_EDIT_IMAGES + " images, but got " + r.imageCount() + ".");
        }
        if (!r.problems().isEmpty()) {
            throw r.problems().get(0);
        }
        if (r.images().isEmpty()) {
            throw r.imageCount() == 0 ? missing("images") : ImagesApiException.invalid("images",
                    "array_below_min_length", "Invalid 'images': give at least one image.");
        }
        ImageModel model = resolveModel(r.model(), ImageModel.GPT_IMAGE_1_5, Operation.EDIT, allowUnknownModels);
        if (model.editInputs().maxImages() == 1 && r.images().size() != 1) {
            throw ImagesApiException.invalid("images", "invalid_value",
                    model.name() + " edits take exactly one image, but got " + r.images().size() + ".");
        }
        checkPromptedImage(model, r);
        if (r.inputFidelity() != null) {
            onlyFor(Param.INPUT_FIDELITY, model);
            oneOf("input_fidelity", r.inputFidelity(), INPUT_FIDELITIES);
        }
        checkGptOutput(model, r);
        if (r.moderation() != null) {
            // OpenAI's JSON edit body takes it (EditImageBodyJsonParam); such an edit goes upstream in that form
            onlyFor(Param.MODERATION, model);
            oneOf("moderation", r.moderation(), MODERATIONS);
        }
        checkStreaming(model, r);
        return new Edit(model, r);
    }

    /** Validates a variation's fields; dall-e-2 is the only model. */
    public static Variation validateVariation(VariationRequest r, boolean allowUnknownModels) {
        if (r == null) {
            throw missing("image");
        }
        if (!r.problems().isEmpty()) {
            throw r.problems().get(0);
        }
        if (r.image() == null) {
            throw missing("image");
        }
        ImageModel model = resolveModel(r.model(), ImageModel.DALL_E_2, Operation.VARIATION, allowUnknownModels);
        checkN(r.n(), model);
        if (r.size() != null) {
            oneOf("size", r.size(), VARIATION_SIZES);
        }
        if (r.responseFormat() != null) {
            oneOf("response_format", r.responseFormat(), RESPONSE_FORMATS);
        }
        return new Variation(model, r);
    }

    /**
     * Spec §1: generations default to dall-e-2 unless a parameter only the GPT image models take is used; the spec does
     * not list them, so this takes the output parameters, streaming, and a GPT-only quality or size as the signal, and
     * then defaults to gpt-image-1.
     */
    static String defaultGenerationModel(GenerateRequest r) {
        boolean gptSignal = r.background() != null || r.moderation() != null || r.outputFormat() != null
                || r.outputCompression() != null || Boolean.TRUE.equals(r.stream()) || r.partialImages() != null
                || (r.quality() != null && GPT_ONLY_QUALITIES.contains(r.quality()))
                || (r.size() != null && GPT_ONLY_SIZES.contains(r.size()));
        return gptSignal ? ImageModel.GPT_IMAGE_1 : ImageModel.DALL_E_2;
    }

    /** The fields generations and edits share: prompt, n, quality, size and response_format. */
    private static void checkPromptedImage(ImageModel model, ImageRequest.Prompted r) {
        checkPrompt(r.prompt(), model);
        checkN(r.n(), model);
        checkQuality(r.quality(), model);
        checkSize(r.size(), model);
        String responseFormat = r.responseFormat();
        if (responseFormat != null) {
            // every model: for the GPT image models an imagefn extension (the upstream is never sent it), choosing
            // between the stored image's URL alone and the image inline as well
            oneOf("response_format", responseFormat, RESPONSE_FORMATS);
        }
    }

    static ImageModel resolveModel(String name, String defaultName, Operation op, boolean allowUnknown) {
        String effective = name == null ? defaultName : name;
        ImageModel model = ImageModel.known(effective).orElse(null);
        if (model == null) {
            if (!allowUnknown || effective.isBlank()) {
                throw ImagesApiException.invalid("model", "invalid_value", "Invalid value: '"
                        + ImagesApiException.excerpt(effective) + "'. Supported models are: " + list(supporting(op))
                        + ".");
            }
            return ImageModel.unknown(effective);
        }
        if (!model.operations().contains(op)) {
            throw ImagesApiException.invalid("model", "invalid_value", "Invalid value: '"
                    + ImagesApiException.excerpt(effective) + "'. The " + op.name().toLowerCase()
                    + " operation supports: " + list(supporting(op)) + ".");
        }
        return model;
    }

    static void checkPrompt(String prompt, ImageModel model) {
        if (prompt == null) {
            throw missing("prompt");
        }
        if (prompt.isEmpty()) {
            throw ImagesApiException.invalid("prompt", "string_below_min_length",
                    "Invalid 'prompt': empty string. Expected a string with minimum length 1.");
        }
        int length = prompt.codePointCount(0, prompt.length());
        if (length > model.maxPromptChars()) {
            throw ImagesApiException.invalid("prompt", "string_above_max_length", "Invalid 'prompt': string too long. "
                    + "Expected a string with maximum length " + model.maxPromptChars() + " for " + model.name()
                    + ", but got a string with length " + length + " instead.");
        }
    }

    static void checkN(Integer n, ImageModel model) {
        if (n == null) {
            return;
        }
        if (n < 1) {
            throw ImagesApiException.invalid("n", "integer_below_min_value",
                    "Invalid 'n': integer below minimum value. Expected a value >= 1, but got " + n + " instead.");
        }
        if (n > model.maxN()) {
            String message = model.maxN() == 1
                    ? "Invalid 'n': " + model.name() + " supports only n=1."
                    : "Invalid 'n': integer above maximum value. Expected a value <= " + model.maxN() + ", but got "
                            + n + " instead.";
            throw ImagesApiException.invalid("n", "integer_above_max_value", message);
        }
    }

    static void checkQuality(String quality, ImageModel model) {
        if (quality != null && model.tableEntry()) {
            oneOf("quality", quality, model.qualities(), " for " + model.name());
        }
    }

    static void checkSize(String size, ImageModel model) {
        if (size == null || model.sizes().contains(size)) {
            return;
        }
        if (model.supports(Param.FREE_FORM_SIZE)) {
            FreeFormSizes.check(size, model);
            return;
        }
        oneOf("size", size, model.sizes(), " for " + model.name());
    }

    /** background, output_format and output_compression: GPT image models only, and consistent with each other. */
    static void checkGptOutput(ImageModel model, ImageRequest.Prompted r) {
        if (r.background() != null) {
            onlyFor(Param.BACKGROUND, model);
            oneOf("background", r.background(), BACKGROUNDS);
        }
        if (r.outputFormat() != null) {
            onlyFor(Param.OUTPUT_FORMAT, model);
            oneOf("output_format", r.outputFormat(), OUTPUT_FORMATS);
        }
        if (r.outputCompression() != null) {
            onlyFor(Param.OUTPUT_COMPRESSION, model);
            if (r.outputCompression() < 0 || r.outputCompression() > 100) {
                throw ImagesApiException.invalid("output_compression", "invalid_value",
                        "Invalid 'output_compression': expected a percentage from 0 to 100, but got "
                                + r.outputCompression() + " instead.");
            }
            String format = r.outputFormat() == null ? "png" : r.outputFormat();
            if (format.equals("png")) {
                throw ImagesApiException.invalid("output_compression", "invalid_value",
                        "'output_compression' applies only to output_format 'jpeg' or 'webp', not 'png'.");
            }
        }
        if ("transparent".equals(r.background()) && "jpeg".equals(r.outputFormat())) {
            throw ImagesApiException.invalid("background", "invalid_value",
                    "A transparent background needs output_format 'png' or 'webp'; jpeg has no alpha channel.");
        }
    }

    static void checkStreaming(ImageModel model, ImageRequest.Prompted r) {
        // stream=false asks for nothing, so it is accepted with any model
        if (Boolean.TRUE.equals(r.stream())) {
            onlyFor(Param.STREAM, model);
        }
        if (r.partialImages() != null) {
            onlyFor(Param.PARTIAL_IMAGES, model);
            if (r.partialImages() < 0 || r.partialImages() > 3) {
                throw ImagesApiException.invalid("partial_images", "invalid_value",
                        "Invalid 'partial_images': expected a value from 0 to 3, but got " + r.partialImages()
                                + " instead.");
            }
        }
    }

    static ImagesApiException missing(String param) {
        return ImagesApiException.invalid(param, "missing_required_parameter",
                "Missing required parameter: '" + param + "'.");
    }

    /** A parameter that does not apply to the model is refused, naming the models it applies to. */
    private static void onlyFor(Param param, ImageModel model) {
        if (!model.supports(param)) {
            throw ImagesApiException.invalid(param.field(), "unsupported_parameter", "'" + param.field()
                    + "' is not supported with model '" + model.name() + "' (supported by: "
                    + String.join(", ", ImageModel.supporting(param)) + ").");
        }
    }

    private static void oneOf(String param, String value, Set<String> allowed) {
        oneOf(param, value, allowed, "");
    }

    private static void oneOf(String param, String value, Set<String> allowed, String context) {
        if (!allowed.contains(value)) {
            throw ImagesApiException.invalid(param, "invalid_value", "Invalid value: '"
                    + ImagesApiException.excerpt(value) + "'. Supported values" + context + " are: " + list(allowed)
                    + ".");
        }
    }

    private static Set<String> supporting(Operation op) {
        Set<String> names = new TreeSet<>();
        ImageModel.KNOWN.values().stream().filter(m -> m.operations().contains(op)).forEach(m -> names.add(m.name()));
        return names;
    }

    private static String list(Set<String> values) {
        return String.join(", ", new TreeSet<>(values).stream().map(v -> "'" + v + "'").toList());
    }

    /**
     * The form of an idempotency key, whether it comes as the {@code idempotency_key} field or the
     * {@code Idempotency-Key} header: 1 to 255 printable ASCII characters without spaces.
     */
    public static boolean isIdempotencyKey(String key) {
        return !key.isEmpty() && key.length() <= 255 && key.chars().allMatch(c -> c > 32 && c < 127);
    }
}
