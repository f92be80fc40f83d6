package io.imagefn.images;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one image model accepts, read by the validation, the upstream mapping, the playground and the emulator. Model
 * names are an open set upstream, so a model is a value, not a Java enum; the known ones are {@link #KNOWN}, each
 * described by name below: adding a model, or changing a limit, is one edit there.
 *
 * @param name                 the model id sent upstream
 * @param operations           which endpoints serve the model
 * @param maxPromptChars       longest prompt accepted
 * @param maxN                 most images per request
 * @param qualities            accepted {@code quality} values
 * @param sizes                accepted named {@code size} values
 * @param params               the optional parameters that apply to the model (any other is refused)
 * @param editInputs           what an edit's input images must be
 * @param answer               what the upstream answers and imagefn answers on {@code /v1}
 * @param tableEntry           false for a model outside the table (unknown models allowed): only generic checks
 */
public record ImageModel(String name, Set<Operation> operations, int maxPromptChars, int maxN, Set<String> qualities,
        Set<String> sizes, Set<Param> params, EditInputs editInputs, Answer answer, boolean tableEntry) {

    /** The three Images API endpoints. */
    public enum Operation {
        GENERATE,
        EDIT,
        VARIATION
    }

    /** The optional parameters whose applicability differs between models. */
    public enum Param {
        STYLE("style"),
        BACKGROUND("background"),
        MODERATION("moderation"),
        OUTPUT_FORMAT("output_format"),
        OUTPUT_COMPRESSION("output_compression"),
        STREAM("stream"),
        PARTIAL_IMAGES("partial_images"),
        INPUT_FIDELITY("input_fidelity"),
        /** {@code WIDTHxHEIGHT} sizes beyond the named ones (gpt-image-2) */
        FREE_FORM_SIZE("size");

        private final String field;

        Param(String field) {
            this.field = field;
        }

        /** The request field. */
        public String field() {
            return field;
        }
    }

    /**
     * What an edit's input images must be (spec §3).
     *
     * @param maxImages   how many
     * @param maxBytes    each one under
     * @param squarePngs  only square PNGs (dall-e-2), else PNG, WebP or JPEG
     */
    public record EditInputs(int maxImages, long maxBytes, boolean squarePngs) {
    }

    /**
     * How the model answers.
     *
     * @param takesResponseFormat the upstream takes {@code response_format} (DALL·E; the GPT image models refuse it and
     *                            always answer base64)
     * @param inlineOnV1          OpenAI answers it with {@code b64_json} only (the GPT image models), so {@code /v1} does
     *                            too unless {@code response_format} says otherwise
     * @param outputDetails       the answer carries {@code background}, {@code output_format}, {@code quality},
     *                            {@code size} and {@code usage}
     * @param revisesPrompt       the answer carries a {@code revised_prompt} (dall-e-3)
     */
    public record Answer(boolean takesResponseFormat, boolean inlineOnV1, boolean outputDetails,
            boolean revisesPrompt) {
    }

    public static final String DALL_E_2 = "dall-e-2";
    public static final String DALL_E_3 = "dall-e-3";
    public static final String GPT_IMAGE_1 = "gpt-image-1";
    public static final String GPT_IMAGE_1_MINI = "gpt-image-1-mini";
    public static final String GPT_IMAGE_1_5 = "gpt-image-1.5";
    public static final String GPT_IMAGE_2 = "gpt-image-2";
    public static final String GPT_IMAGE_2_2026_04_21 = "gpt-image-2-2026-04-21";
    public static final String CHATGPT_IMAGE_LATEST = "chatgpt-image-latest";

    private static final Set<Param> GPT_PARAMS = EnumSet.of(Param.BACKGROUND, Param.MODERATION, Param.OUTPUT_FORMAT,
            Param.OUTPUT_COMPRESSION, Param.STREAM, Param.PARTIAL_IMAGES, Param.INPUT_FIDELITY);
    private static final EditInputs GPT_INPUTS = new EditInputs(16, 50L * 1024 * 1024, false);
    private static final Answer GPT_ANSWER = new Answer(false, true, true, false);

    /** Spec §1 and §2: the per-model table. */
    public static final Map<String, ImageModel> KNOWN;

    static {
        Map<String, ImageModel> m = new LinkedHashMap<>();
        put(m, model(DALL_E_2).operations(Operation.values()).maxPromptChars(1000).maxN(10)
                .qualities("standard", "auto").sizes("256x256", "512x512", "1024x1024")
                .editInputs(new EditInputs(1, 4L * 1024 * 1024, true))
                .answer(new Answer(true, false, false, false)));
        put(m, model(DALL_E_3).operations(Operation.GENERATE).maxPromptChars(4000).maxN(1)
                .qualities("standard", "hd", "auto").sizes("1024x1024", "1792x1024", "1024x1792")
                .params(Param.STYLE).answer(new Answer(true, false, false, true)));
        put(m, gptImage(GPT_IMAGE_1));
        put(m, gptImage(GPT_IMAGE_1_MINI).without(Param.INPUT_FIDELITY));
        put(m, gptImage(GPT_IMAGE_1_5));
        put(m, gptImage(GPT_IMAGE_2).with(Param.FREE_FORM_SIZE));
        put(m, gptImage(GPT_IMAGE_2_2026_04_21).with(Param.FREE_FORM_SIZE));
        put(m, gptImage(CHATGPT_IMAGE_LATEST));
        KNOWN = Map.copyOf(m);
    }

    /** The GPT image models' common description. */
    private static Builder gptImage(String name) {
        return model(name).operations(Operation.GENERATE, Operation.EDIT).maxPromptChars(32000).maxN(10)
                .qualities("low", "medium", "high", "auto").sizes("1024x1024", "1536x1024", "1024x1536", "auto")
                .params(GPT_PARAMS.toArray(Param[]::new)).editInputs(GPT_INPUTS).answer(GPT_ANSWER);
    }

    private static void put(Map<String, ImageModel> m, Builder model) {
        ImageModel built = model.build();
        m.put(built.name(), built);
    }

    /** The table entry for {@code name}, if it is a known model. */
    public static Optional<ImageModel> known(String name) {
        return Optional.ofNullable(KNOWN.get(name));
    }

    /**
     * A model outside the table, accepted only when configured to pass unknown models through: every parameter
     * applies, values are not checked, and the upstream answers as the GPT image models do.
     */
    public static ImageModel unknown(String name) {
        return model(name).operations(Operation.values()).maxPromptChars(32000).maxN(10).sizes("auto")
                .params(Param.values()).editInputs(GPT_INPUTS).answer(new Answer(false, false, true, false))
                .outsideTheTable().build();
    }

    /** Whether {@code param} applies to this model. */
    public boolean supports(Param param) {
        return params.contains(param);
    }

    /** The models of the table that take {@code param}, for a refusal's message. */
    public static Set<String> supporting(Param param) {
        Set<String> names = new java.util.TreeSet<>();
        KNOWN.values().stream().filter(m -> m.supports(param)).forEach(m -> names.add(m.name()));
        return names;
    }

    private static Builder model(String name) {
        return new Builder(name);
    }

    /** Names every field of a table entry. */
    private static final class Builder {
        private final String name;
        private Set<Operation> operations = EnumSet.noneOf(Operation.class);
        private int maxPromptChars;
        private int maxN;
        private Set<String> qualities = Set.of();
        private Set<String> sizes = Set.of();
        private final Set<Param> params = EnumSet.noneOf(Param.class);
        private EditInputs editInputs = new EditInputs(0, 0, false);
        private Answer answer;
        private boolean tableEntry = true;

        private Builder(String name) {
            this.name = name;
        }

        Builder operations(Operation... ops) {
            operations = EnumSet.copyOf(Set.of(ops));
            return this;
        }

        Builder maxPromptChars(int chars) {
            maxPromptChars = chars;
            return this;
        }

        Builder maxN(int n) {
            maxN = n;
            return this;
        }

        Builder qualities(String... values) {
            qualities = Set.of(values);
            return this;
        }

        Builder sizes(String... values) {
            sizes = Set.of(values);
            return this;
        }

        Builder params(Param... values) {
            params.addAll(Set.of(values));
            return this;
        }

        Builder with(Param param) {
            params.add(param);
            return this;
        }

        Builder without(Param param) {
            params.remove(param);
            return this;
        }

        Builder editInputs(EditInputs inputs) {
            editInputs = inputs;
            return this;
        }

        Builder answer(Answer value) {
            answer = value;
            return this;
        }

        Builder outsideTheTable() {
            tableEntry = false;
            return this;
        }

        ImageModel build() {
            return new ImageModel(name, Set.copyOf(operations), maxPromptChars, maxN, qualities, sizes,
                    Set.copyOf(params), editInputs, answer, tableEntry);
        }
    }
}
