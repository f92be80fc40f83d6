package io.imagefn.support;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.imagefn.config.ImagefnConfig;

/** Reads the deploy/ descriptors, and knows which environment variables the code reads. */
public final class Descriptors {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Descriptors() {
    }

    /** Every YAML document in a file (separated by {@code ---}). */
    public static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(Files.readString(file))) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    public static JsonNode at(JsonNode node, String pointer) {
        JsonNode n = node.at(pointer);
        return n == null ? MissingNode.getInstance() : n;
    }

    /** The {@code IMAGEFN_*} variables the configuration mapping reads, one per leaf of {@link ImagefnConfig}. */
    public static Set<String> imagefnVariables() {
        Set<String> names = new TreeSet<>();
        walk(ImagefnConfig.class, "imagefn", names);
        return names;
    }

    private static void walk(Class<?> type, String prefix, Set<String> names) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0) {
                continue;
            }
            String property = prefix + "." + kebab(m.getName());
            Class<?> result = m.getReturnType();
            if (result.isInterface() && result.getEnclosingClass() == ImagefnConfig.class) {
                walk(result, property, names);
            } else if (result == java.util.Optional.class && m.getGenericReturnType() instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> inner && inner.isInterface()
                    && inner.getEnclosingClass() == ImagefnConfig.class) {
                walk(inner, property, names);
            } else {
                names.add(property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
