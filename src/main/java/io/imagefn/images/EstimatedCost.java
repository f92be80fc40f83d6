package io.imagefn.images;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * imagefn's extension to {@code ImagesResponse}: what the request cost at list prices.
 *
 * @param usd         the estimate in US dollars
 * @param basis       {@code tokens} (GPT image models, from {@code usage}) or {@code per_image} (DALL·E)
 * @param pricesAsOf  the date the price table was taken
 */
@RegisterForReflection
public record EstimatedCost(BigDecimal usd, String basis, @JsonProperty("prices_as_of") String pricesAsOf) {
}
