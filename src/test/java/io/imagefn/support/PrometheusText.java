package io.imagefn.support;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one scrape of {@code /q/metrics} the way a Prometheus query would: a metric name and label matchers. */
public final class PrometheusText {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s+(\\S+).*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;

    private PrometheusText(String text) {
        this.text = text;
    }

    public static PrometheusText scrape() {
        return new PrometheusText(given().when().get("/q/metrics").then().statusCode(200).extract().asString());
    }

    /** The sum of every sample of {@code name} whose labels include {@code labels}; 0 when there is none. */
    public double sum(String name, Map<String, String> labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            if (matches(m.group(3) == null ? "" : m.group(3), labels)) {
                total += Double.parseDouble(m.group(4));
            }
        }
        return total;
    }

    private static boolean matches(String labelText, Map<String, String> wanted) {
        Map<String, String> found = new java.util.HashMap<>();
        Matcher l = LABEL.matcher(labelText);
        while (l.find()) {
            found.put(l.group(1), l.group(2));
        }
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(found.get(e.getKey())));
    }

    public String text() {
        return text;
    }
}
