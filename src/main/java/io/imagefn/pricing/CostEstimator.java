package io.imagefn.pricing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.config.ImagefnConfig;
import io.imagefn.images.EstimatedCost;
import io.imagefn.images.Usage;
import io.quarkus.logging.Log;

/**
 * Estimates what a request cost at list prices.
 * <ul>
 * <li>GPT image models are billed by tokens: {@code (text_in × p_text_in + image_in × p_image_in + image_out ×
 * p_image_out + text_out × p_text_out) / 1,000,000}, with the counts from the upstream's {@code usage}. Without
 * {@code input_tokens_details} every input token is priced as text; without {@code output_tokens_details} every output
 * token as image output (what a GPT image model produces). No {@code usage}: no estimate, rather than a guess.</li>
 * <li>DALL·E models are billed per image: {@code images × price[quality][size]}; {@code auto} or no quality is
 * {@code standard}, no size is {@code 1024x1024}.</li>
 * </ul>
 * A model without prices gets no estimate. Amounts are rounded to 1e-8 USD.
 */
@ApplicationScoped
public class CostEstimator {

    static final String BUNDLED = "imagefn/prices.json";
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private final PriceTable prices;

    @Inject
    public CostEstimator(ImagefnConfig config, ObjectMapper json) {
        this(config.pricing().file().map(path -> read(path, json)).orElseGet(() -> bundled(json)));
        Log.infof("Cost estimates use prices taken %s (%s)", prices.taken(),
                config.pricing().file().map(Path::toString).orElse("bundled table"));
    }

    public CostEstimator(PriceTable prices) {
        this.prices = prices;
    }

    public static PriceTable bundled(ObjectMapper json) {
        try (InputStream in = CostEstimator.class.getClassLoader().getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException(BUNDLED + " is missing from the application");
            }
            return json.readValue(in, PriceTable.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUNDLED, e);
        }
    }

    private static PriceTable read(Path path, ObjectMapper json) {
        try {
            return json.readValue(Files.readAllBytes(path), PriceTable.class);
        } catch (IOException e) {
            throw new IllegalStateException("imagefn.pricing.file " + path + " is not a readable price table: "
                    + e.getMessage(), e);
        }
    }

    public PriceTable prices() {
        return prices;
    }

    /**
     * @param images  how many images the upstream returned
     * @param size    the size the upstream reported, else the one asked for (may be null)
     * @param quality the quality the upstream reported, else the one asked for (may be null)
     * @param usage   the upstream's token counts (may be null)
     */
    public Optional<EstimatedCost> estimate(String model, int images, String size, String quality, Usage usage) {
        PriceTable.TokenPrices tokens = prices.tokenModels() == null ? null : prices.tokenModels().get(model);
        if (tokens != null) {
            return usage == null ? Optional.empty() : Optional.of(cost(byTokens(tokens, usage), "tokens"));
        }
        Map<String, Map<String, BigDecimal>> perImage = prices.perImageModels() == null ? null
                : prices.perImageModels().get(model);
        if (perImage == null) {
            return Optional.empty();
        }
        String q = quality == null || "auto".equals(quality) ? "standard" : quality;
        String s = size == null || "auto".equals(size) ? "1024x1024" : size;
        BigDecimal each = perImage.getOrDefault(q, Map.of()).get(s);
        return each == null ? Optional.empty() : Optional.of(cost(each.multiply(BigDecimal.valueOf(images)), "per_image"));
    }

    /**
     * The most a request can cost, before it is sent: what a budget reserves (settled later to the real cost). Token
     * models: each image's output tokens at its quality and size from the table's bounds ({@code auto} quality as
     * high, {@code auto} size as {@code largestSize}, other sizes scaled by pixel area, rounded up), one input token
     * per byte of prompt, an allowance per input image. Per-image models: the price of {@code images} at that quality
     * and size. Empty for a model without prices (no budget can be kept for it).
     *
     * @param promptBytes the prompt's length in UTF-8 bytes (0 without a prompt)
     * @param inputImages how many images go in (edits, variations)
     * @param largestSize the model's largest named size, for {@code auto} or no size
     */
    public Optional<BigDecimal> upperBound(String model, int images, String size, String quality, long promptBytes,
            int inputImages, String largestSize) {
        PriceTable.TokenPrices tokens = prices.tokenModels() == null ? null : prices.tokenModels().get(model);
        if (tokens != null) {
            PriceTable.TokenBounds bounds = prices.tokenBounds();
            if (bounds == null || bounds.imageOutputPerSquare() == null) {
                return Optional.empty();
            }
            String q = quality == null || "auto".equals(quality) || !bounds.imageOutputPerSquare().containsKey(quality)
                    ? "high" : quality;
            Integer perSquare = bounds.imageOutputPerSquare().get(q);
            if (perSquare == null) {
                return Optional.empty();
            }
            long[] wh = dimensions(size == null || "auto".equals(size) ? largestSize : size);
            long outputEach = (perSquare * wh[0] * wh[1] + 1024L * 1024 - 1) / (1024L * 1024);
            long textOutEach = bounds.textOutputPerImage() == null ? 0 : bounds.textOutputPerImage();
            long imageIn = (long) inputImages * (bounds.imageInputPerImage() == null ? 0 : bounds.imageInputPerImage());
            BigDecimal usd = price(promptBytes, tokens.textInput()).add(price(imageIn, tokens.imageInput()))
                    .add(price(outputEach * images, tokens.imageOutput()))
                    .add(price(textOutEach * images, tokens.textOutput())).divide(MILLION);
            return Optional.of(usd.setScale(8, RoundingMode.UP).stripTrailingZeros());
        }
        return estimate(model, images, size, quality, null).map(EstimatedCost::usd);
    }

    /** {@code WIDTHxHEIGHT}, or 1024x1024 for anything else. */
    private static long[] dimensions(String size) {
        if (size != null) {
            int x = size.indexOf('x');
            try {
                return new long[] { Long.parseLong(size.substring(0, x)), Long.parseLong(size.substring(x + 1)) };
            } catch (RuntimeException notASize) {
                // fall through
            }
        }
        return new long[] { 1024, 1024 };
    }

    private static BigDecimal byTokens(PriceTable.TokenPrices p, Usage usage) {
        long input = count(usage.inputTokens());
        long textIn = input;
        long imageIn = 0;
        if (usage.inputTokensDetails() != null) {
            textIn = count(usage.inputTokensDetails().textTokens());
            imageIn = count(usage.inputTokensDetails().imageTokens());
        }
        long imageOut = count(usage.outputTokens());
        long textOut = 0;
        if (usage.outputTokensDetails() != null) {
            imageOut = count(usage.outputTokensDetails().imageTokens());
            textOut = count(usage.outputTokensDetails().textTokens());
        }
        return price(textIn, p.textInput()).add(price(imageIn, p.imageInput())).add(price(imageOut, p.imageOutput()))
                .add(price(textOut, p.textOutput())).divide(MILLION);
    }

    private static BigDecimal price(long tokens, BigDecimal perMillion) {
        return perMillion == null ? BigDecimal.ZERO : perMillion.multiply(BigDecimal.valueOf(tokens));
    }

    private static long count(Integer n) {
        return n == null ? 0 : Math.max(0, n);
    }

    private EstimatedCost cost(BigDecimal usd, String basis) {
        return new EstimatedCost(usd.setScale(8, RoundingMode.HALF_UP).stripTrailingZeros(), basis, prices.taken());
    }
}
