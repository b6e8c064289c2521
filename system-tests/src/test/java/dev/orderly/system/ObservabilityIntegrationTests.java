package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Every Grafana panel and every Prometheus rule shows something on a running pipeline: Debian's Prometheus scrapes
 * the five services and the broker (per-queue metrics) exactly as the compose and Helm setups name their jobs, loads
 * the rules file both ship, and every panel's and rule's PromQL is evaluated through its HTTP API under light load. An
 * expression that errors or returns no series fails the test, naming it — a dashboard that shows nothing is a bug.
 *
 * <p>An alert's expression is empty by design while nothing is wrong, so each alert is checked operand by operand:
 * every vector on either side of its top-level comparisons and {@code and}/{@code or}/{@code unless} must have series.
 * Prometheus must also report every rule's own evaluation healthy.
 */
@ExtendWith(PipelineExtension.class)
class ObservabilityIntegrationTests {

    /** Generous against a 2-core machine's scrape times: a scrape that outlives the interval would leave gaps. */
    private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(4);
    /** How long the expressions may take to find their series (first scrapes, two samples for every rate). */
    private static final Duration SERIES_DEADLINE = Duration.ofSeconds(150);

    private static final Path DASHBOARDS = Path.of("..", "helm/orderly/files/dashboards");

    private static Prometheus prometheus;

    @BeforeAll
    static void startPrometheus(Pipeline pipeline) throws IOException {
        prometheus = Prometheus.start(pipeline, "prometheus", SCRAPE_INTERVAL);
    }

    @AfterAll
    static void stopPrometheus() throws InterruptedException {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @Test
    void everyPanelAndRuleShowsSeriesFromTheRunningPipeline(Pipeline pipeline) throws IOException {
        lightLoad(new Shop(pipeline));
        List<Check> checks = new ArrayList<>();
        checks.addAll(panelChecks());
        checks.addAll(ruleChecks());
        assertThat(checks).hasSizeGreaterThan(60);

        List<String> failures = awaitAll(checks);

        assertThat(failures)
                .as(
                        "panel and rule expressions that error or return no series after %s (scrape targets: %s)",
                        SERIES_DEADLINE, prometheus.targets())
                .isEmpty();
        JsonNode groups = prometheus.api("/api/v1/rules").path("data").path("groups");
        List<String> unhealthy = new ArrayList<>();
        int rules = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                if (!"ok".equals(rule.path("health").asString())) {
                    unhealthy.add(rule.path("name").asString() + ": "
                            + rule.path("health").asString() + " "
                            + rule.path("lastError").asString());
                }
            }
        }
        assertThat(rules).as("rules Prometheus loaded").isGreaterThanOrEqualTo(15);
        assertThat(unhealthy).as("rules whose evaluation fails").isEmpty();
    }

    /** A few orders of each outcome, so the pipeline's counters and histograms move. */
    private static void lightLoad(Shop shop) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            expected.put(shop.place("SKU-1", 1), "SHIPPED");
        }
        // For sale but out of stock: accepted, then rejected by order-worker (an unknown SKU is refused at intake).
        expected.put(shop.place(shop.newSku(0), 1), "REJECTED");
        expected.forEach(shop::awaitStatus);
        Shop declining = shop.declining();
        declining.awaitStatus(declining.place("SKU-1", 1), "CANCELLED");
    }

    /** One expression that must return series; passing if any of its variants (one per $job value) does. */
    private record Check(String source, List<String> variants) {}

    private static List<Check> panelChecks() throws IOException {
        List<Check> checks = new ArrayList<>();
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".json"))
                    .sorted()
                    .toList()) {
                JsonNode dashboard = Http.JSON.readTree(file.toFile());
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        String expression = target.path("expr").asString();
                        List<String> variants = expression.contains("$job")
                                ? Prometheus.SERVICE_JOBS.keySet().stream()
                                        .sorted()
                                        .map(job -> expression.replace("$job", job))
                                        .toList()
                                : List.of(expression);
                        checks.add(new Check(
                                file.getFileName() + " / " + panel.path("title").asString(), variants));
                    }
                }
            }
        }
        return checks;
    }

    private static List<Check> ruleChecks() {
        List<Check> checks = new ArrayList<>();
        for (JsonNode group : prometheus.api("/api/v1/rules").path("data").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("name").asString();
                String query = rule.path("query").asString();
                if ("recording".equals(rule.path("type").asString())) {
                    checks.add(new Check("recording rule " + name, List.of(query)));
                } else {
                    for (String operand : Promql.operands(query)) {
                        checks.add(new Check("alert " + name + " (operand)", List.of(operand)));
                    }
                }
            }
        }
        return checks;
    }

    /**
     * Evaluates the checks until every one has series or the deadline passes; returns what still fails, each with the
     * last answer. Scalars (an alert's threshold) count as passing.
     */
    private static List<String> awaitAll(List<Check> checks) {
        Map<Check, String> failing = new LinkedHashMap<>();
        checks.forEach(check -> failing.put(check, "not evaluated"));
        try {
            await("every panel and rule expression returns series")
                    .atMost(SERIES_DEADLINE)
                    .pollInterval(SCRAPE_INTERVAL)
                    .until(() -> {
                        for (Check check : List.copyOf(failing.keySet())) {
                            String problem = evaluate(check);
                            if (problem == null) {
                                failing.remove(check);
                            } else {
                                failing.put(check, problem);
                            }
                        }
                        return failing.isEmpty();
                    });
        } catch (ConditionTimeoutException e) {
            // What still fails is reported by the caller's assertion, expression by expression.
        }
        return failing.entrySet().stream()
                .map(entry -> entry.getKey().source() + ": " + entry.getValue())
                .toList();
    }

    /** Null if any variant returns series (or is a scalar); otherwise what the last variant answered. */
    private static String evaluate(Check check) {
        String problem = null;
        for (String expression : check.variants()) {
            JsonNode answer =
                    prometheus.api("/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8));
            if (!"success".equals(answer.path("status").asString())) {
                return "`" + expression + "` errors: " + answer.path("error").asString();
            }
            JsonNode data = answer.path("data");
            if ("scalar".equals(data.path("resultType").asString())
                    || !data.path("result").isEmpty()) {
                return null;
            }
            problem = "`" + expression + "` returns no series";
        }
        return problem;
    }
}
