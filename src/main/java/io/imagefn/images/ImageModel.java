package io.imagefn.images;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one image model accepts. Model names are an open set upstream, so a model is a value, not a Java enum; the
 * known ones live in {@link #KNOWN}, and adding a model is one line there.
 *
 * @param name           the model id sent upstream
 * @param family         which parameter set applies
 * @param maxPromptChars longest prompt accepted
 * @param maxN           most images per request
 * @param qualities      accepted {@code quality} values
 * @param sizes          accepted named {@code size} values
 * @param freeFormSizes  whether {@code WIDTHxHEIGHT} sizes are accepted (gpt-image-2)
 * @param operations     which endpoints serve the model
 * @param inputFidelity  whether edits accept {@code input_fidelity}
 */
public record ImageModel(String name, Family family, int maxPromptChars, int maxN, Set<String> qualities,
        Set<String> sizes, boolean freeFormSizes, Set<Operation> operations, boolean inputFidelity) {

    /** Parameter families; the GPT image models share one. */
    public enum Family {
        DALL_E_2,
        DALL_E_3,
        GPT_IMAGE,
        /** a model outside the table, passed through with only the generic checks */
        UNKNOWN
    }

    /** The three Images API endpoints. */
    public enum Operation {
        GENERATE,
        EDIT,
        VARIATION
    }

    public static final String DALL_E_2 = "dall-e-2";
    public static final String DALL_E_3 = "dall-e-3";
    public static final String GPT_IMAGE_1 = "gpt-image-1";
    public static final String GPT_IMAGE_1_MINI = "gpt-image-1-mini";
    public static final String GPT_IMAGE_1_5 = "gpt-image-1.5";
    public static final String GPT_IMAGE_2 = "gpt-image-2";
    public static final String GPT_IMAGE_2_2026_04_21 = "gpt-image-2-2026-04-21";
    public static final String CHATGPT_IMAGE_LATEST = "chatgpt-image-latest";

    private static final Set<String> GPT_QUALITIES = Set.of("low", "medium", "high", "auto");
    private static final Set<String> GPT_SIZES = Set.of("1024x1024", "1536x1024", "1024x1536", "auto");
    private static final Set<Operation> GENERATE_AND_EDIT = Set.of(Operation.GENERATE, Operation.EDIT);

    /** Spec §1 and §2: the per-model table. */
    public static final Map<String, ImageModel> KNOWN;

    static {
        Map<String, ImageModel> m = new LinkedHashMap<>();
        put(m, new ImageModel(DALL_E_2, Family.DALL_E_2, 1000, 10, Set.of("standard", "auto"),
                Set.of("256x256", "512x512", "1024x1024"), false, Set.of(Operation.values()), false));
        put(m, new ImageModel(DALL_E_3, Family.DALL_E_3, 4000, 1, Set.of("standard", "hd", "auto"),
                Set.of("1024x1024", "1792x1024", "1024x1792"), false, Set.of(Operation.GENERATE), false));
        put(m, gpt(GPT_IMAGE_1, false, true));
        put(m, gpt(GPT_IMAGE_1_MINI, false, false));
        put(m, gpt(GPT_IMAGE_1_5, false, true));
        put(m, gpt(GPT_IMAGE_2, true, true));
        put(m, gpt(GPT_IMAGE_2_2026_04_21, true, true));
        put(m, gpt(CHATGPT_IMAGE_LATEST, false, true));
        KNOWN = Map.copyOf(m);
    }

    private static ImageModel gpt(String name, boolean freeForm, boolean inputFidelity) {
        return new ImageModel(name, Family.GPT_IMAGE, 32000, 10, GPT_QUALITIES, GPT_SIZES, freeForm, GENERATE_AND_EDIT,
                inputFidelity);
    }

    private static void put(Map<String, ImageModel> m, ImageModel model) {
        m.put(model.name(), model);
    }

    /** The table entry for {@code name}, if it is a known model. */
    public static Optional<ImageModel> known(String name) {
        return Optional.ofNullable(KNOWN.get(name));
    }

    /** A model outside the table, accepted only when configured to pass unknown models through. */
    public static ImageModel unknown(String name) {
        return new ImageModel(name, Family.UNKNOWN, 32000, 10, Set.of(), Set.of("auto"), true,
                Set.of(Operation.values()), true);
    }

    public boolean isGptImage() {
        return family == Family.GPT_IMAGE;
    }

    public boolean isDallE() {
        return family == Family.DALL_E_2 || family == Family.DALL_E_3;
    }

    public boolean isUnknown() {
        return family == Family.UNKNOWN;
    }
}
