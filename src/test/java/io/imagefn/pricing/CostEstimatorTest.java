package io.imagefn.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.imagefn.images.EstimatedCost;
import io.imagefn.images.Usage;

/**
 * The cost formula against values worked out by hand from the bundled list prices (USD per 1M tokens: gpt-image-1
 * 5 / 10 / 40, gpt-image-1-mini 2 / 2.5 / 8, gpt-image-1.5 5 / 8 / 32 and 10 for text output, gpt-image-2 5 / 8 / 30
 * and 10; DALL·E per image).
 */
class CostEstimatorTest {

    private static final CostEstimator COSTS = new CostEstimator(CostEstimator.bundled(new ObjectMapper()));

    @ParameterizedTest(name = "{0}: text_in={1} image_in={2} image_out={3} text_out={4} -> ${5}")
    @CsvSource({
            // 50×5 + 0×10 + 4160×40 = 166,650 per 1M tokens
            "gpt-image-1,      50,   0, 4160,   0, 0.16665",
            // an edit: 20×5 + 323×10 + 1056×40 = 45,570
            "gpt-image-1,      20, 323, 1056,   0, 0.04557",
            // 50×2 + 0 + 272×8 = 2,276
            "gpt-image-1-mini, 50,   0,  272,   0, 0.002276",
            // 100×5 + 0 + 4160×32 + 40×10 = 134,020
            "gpt-image-1.5,   100,   0, 4160,  40, 0.13402",
            // 10×5 + 100×8 + 1056×30 + 0 = 32,530
            "gpt-image-2,      10, 100, 1056,   0, 0.03253",
            "gpt-image-2-2026-04-21, 10, 100, 1056, 0, 0.03253",
    })
    void tokenPricedModelsAreCostedFromTheUsageDetails(String model, int textIn, int imageIn, int imageOut, int textOut,
            String expected) {
        Usage usage = new Usage(textIn + imageIn, new Usage.InputDetails(textIn, imageIn), imageOut + textOut,
                new Usage.OutputDetails(imageOut, textOut), textIn + imageIn + imageOut + textOut);

        EstimatedCost cost = COSTS.estimate(model, 1, "1024x1024", "high", usage).orElseThrow();

        assertEquals(0, new BigDecimal(expected).compareTo(cost.usd()), cost.usd().toPlainString());
        assertEquals("tokens", cost.basis());
        assertEquals("2026-11-24", cost.pricesAsOf());
    }

    @ParameterizedTest(name = "{0} without details: input={1} output={2} -> ${3}")
    @CsvSource({
            // every input token priced as text, every output token as image: 50×5 + 1056×40 = 42,490
            "gpt-image-1,   50, 1056, 0.04249",
            // 50×5 + 1056×32 = 34,042
            "gpt-image-1.5, 50, 1056, 0.034042",
    })
    void usageWithoutDetailsPricesInputAsTextAndOutputAsImage(String model, int input, int output, String expected) {
        Usage usage = new Usage(input, null, output, null, input + output);

        EstimatedCost cost = COSTS.estimate(model, 1, null, null, usage).orElseThrow();

        assertEquals(0, new BigDecimal(expected).compareTo(cost.usd()), cost.usd().toPlainString());
    }

    @ParameterizedTest(name = "{0} {2} {3} ×{1} -> ${4}")
    @CsvSource({
            "dall-e-3, 1, 1024x1024, standard, 0.04",
            "dall-e-3, 1, 1792x1024, hd,       0.12",
            "dall-e-3, 1, 1024x1792, auto,     0.08",
            "dall-e-3, 1,          , ,         0.04",
            "dall-e-2, 3, 256x256,   ,         0.048",
            "dall-e-2, 2, 512x512,   standard, 0.036",
            "dall-e-2, 10, 1024x1024, auto,    0.2",
    })
    void dallEModelsArePricedPerImageBySizeAndQuality(String model, int images, String size, String quality,
            String expected) {
        EstimatedCost cost = COSTS.estimate(model, images, size, quality, null).orElseThrow();

        assertEquals(0, new BigDecimal(expected).compareTo(cost.usd()), cost.usd().toPlainString());
        assertEquals("per_image", cost.basis());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "gpt-image-1", "some-unpriced-model" })
    void noEstimateRatherThanAGuess(String model) {
        // a GPT image model without usage, and a model the table does not price
        Optional<EstimatedCost> cost = COSTS.estimate(model, 1, "1024x1024", "high", null);

        assertTrue(cost.isEmpty(), () -> "expected no estimate, got " + cost);
    }

    /**
     * The most a request can cost, reserved before it is sent: at least what OpenAI's published gpt-image-1 output
     * table bills (1024x1024 high 4160 tokens, 1536x1024 high 6208, 1024x1536 medium 1584) at $40 per 1M output
     * tokens, plus a token per prompt byte at $5 per 1M; per-image models at their list price.
     */
    @org.junit.jupiter.api.Test
    void theUpperBoundCoversWhatOpenAisTableBillsForEachSizeAndQuality() {
        assertEquals(new BigDecimal("0.1664"), bound("gpt-image-1", 1, "1024x1024", "high", 0, 0));
        // 6208 tokens by OpenAI's table: $0.24832; the bound scales 4160 by area (6240): never below it
        BigDecimal wide = bound("gpt-image-1", 1, "1536x1024", "high", 0, 0);
        assertEquals(new BigDecimal("0.2496"), wide);
        org.junit.jupiter.api.Assertions.assertTrue(wide.compareTo(new BigDecimal("0.24832")) >= 0);
        assertEquals(new BigDecimal("0.06336"), bound("gpt-image-1", 1, "1024x1536", "medium", 0, 0));
        assertEquals(new BigDecimal("0.3328"), bound("gpt-image-1", 2, "1024x1024", "high", 0, 0), "two images");
        assertEquals(new BigDecimal("0.1669"), bound("gpt-image-1", 1, "1024x1024", "high", 100, 0),
                "100 prompt bytes at $5 per 1M");
    }

    @org.junit.jupiter.api.Test
    void autoQualityCountsAsHighAndAutoSizeAsTheLargestNamedSize() {
        assertEquals(bound("gpt-image-1", 1, "1536x1024", "high", 0, 0), bound("gpt-image-1", 1, "auto", "auto", 0,
                0));
        assertEquals(bound("gpt-image-1", 1, "1536x1024", "high", 0, 0), bound("gpt-image-1", 1, null, null, 0, 0));
    }

    @org.junit.jupiter.api.Test
    void eachInputImageAddsItsAllowanceAndPerImageModelsCostTheirListPrice() {
        // 8000 input image tokens at $10 per 1M for gpt-image-1
        assertEquals(new BigDecimal("0.2464"), bound("gpt-image-1", 1, "1024x1024", "high", 0, 1));
        assertEquals(new BigDecimal("0.12"), bound("dall-e-3", 1, "1792x1024", "hd", 0, 0));
        assertEquals(new BigDecimal("0.048"), bound("dall-e-2", 3, "256x256", null, 0, 1));
        org.junit.jupiter.api.Assertions.assertTrue(COSTS.upperBound("no-such-model", 1, "1024x1024", "high", 0, 0,
                "1024x1024").isEmpty(), "no price, no bound");
    }

    private static BigDecimal bound(String model, int n, String size, String quality, long promptBytes, int inputs) {
        return COSTS.upperBound(model, n, size, quality, promptBytes, inputs, "1536x1024").orElseThrow()
                .stripTrailingZeros();
    }
}
