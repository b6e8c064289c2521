package dev.orderly.overview;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The samples of a Prometheus text exposition (what {@code /actuator/prometheus} answers), for the few metrics the
 * overview shows. Hand-written because no library of the stack reads this format (Micrometer and the Prometheus
 * client only write it) and the subset needed is small: {@code name{label="value",...} number}, comments skipped,
 * label values unescaped ({@code \\}, {@code \"}, {@code \n}).
 *
 * <p>Invariant: a line it cannot read is skipped, never guessed at; a metric that is absent sums to 0.
 */
public final class PrometheusText {

    /** One sample: its metric name, its labels and its value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Sample sample = sample(line.strip());
            if (sample != null) {
                samples.add(sample);
            }
        }
        return new PrometheusText(samples);
    }

    /** The samples of metric {@code name} whose labels pass {@code labels}. */
    public List<Sample> samples(String name, Predicate<Map<String, String>> labels) {
        return samples.stream()
                .filter(sample -> sample.name().equals(name) && labels.test(sample.labels()))
                .toList();
    }

    public List<Sample> samples(String name) {
        return samples(name, labels -> true);
    }

    /** The sum of metric {@code name}'s samples whose labels pass {@code labels}; 0 if there are none. */
    public double sum(String name, Predicate<Map<String, String>> labels) {
        return samples(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    public double sum(String name) {
        return sum(name, labels -> true);
    }

    private static @Nullable Sample sample(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String name;
        Map<String, String> labels = new LinkedHashMap<>();
        int rest;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            int end = labels(line, brace + 1, labels);
            if (end < 0) {
                return null;
            }
            rest = end + 1;
        } else {
            name = line.substring(0, space);
            rest = space;
        }
        String[] tail = line.substring(rest).strip().split("\\s+");
        try {
            return new Sample(name, labels, value(tail[0]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Reads {@code a="x",b="y"} from {@code start}; returns the index of the closing brace, -1 if malformed. */
    private static int labels(String line, int start, Map<String, String> labels) {
        int i = start;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '}') {
                return i;
            }
            if (c == ',' || c == ' ') {
                i++;
                continue;
            }
            int equals = line.indexOf('=', i);
            if (equals < 0 || equals + 1 >= line.length() || line.charAt(equals + 1) != '"') {
                return -1;
            }
            String key = line.substring(i, equals);
            StringBuilder value = new StringBuilder();
            int j = equals + 2;
            while (j < line.length() && line.charAt(j) != '"') {
                char v = line.charAt(j);
                if (v == '\\' && j + 1 < line.length()) {
                    char escaped = line.charAt(++j);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(v);
                }
                j++;
            }
            if (j >= line.length()) {
                return -1;
            }
            labels.put(key, value.toString());
            i = j + 1;
        }
        return -1;
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }
}
