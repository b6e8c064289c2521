package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.FreePorts;
import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    private static final Path RULES = Path.of("..", "helm/orderly/files/prometheus/orderly-rules.yml");

    /** Scrape jobs as compose and Helm name them (rules and panels select on them) → the env file's port variable. */
    private static final Map<String, String> SERVICE_JOBS = Service.pipeline().stream()
            .collect(java.util.stream.Collectors.toMap(Service::serviceName, Service::actuatorPortVariable));

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Process prometheus;
    private static String prometheusUrl;

    @BeforeAll
    static void startPrometheus(Pipeline pipeline) throws IOException {
        Path home = pipeline.state().resolveSibling("prometheus");
        deleteRecursively(home);
        Files.createDirectories(home.resolve("data"));
        Files.writeString(home.resolve("prometheus.yml"), configuration(pipeline));
        int port = freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        prometheus = new ProcessBuilder(
                        "prometheus",
                        "--config.file=" + home.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + home.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("prometheus.log").toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(prometheus::destroyForcibly));
        await("Prometheus ready (log: " + home.resolve("prometheus.log") + ")")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .failFast("prometheus exited", () -> !prometheus.isAlive())
                .until(() -> Http.probe(prometheusUrl + "/-/ready") == 200);
    }

    @AfterAll
    static void stopPrometheus() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
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
                        SERIES_DEADLINE, targets())
                .isEmpty();
        JsonNode groups = api("/api/v1/rules").path("data").path("groups");
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
                                ? SERVICE_JOBS.keySet().stream()
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
        for (JsonNode group : api("/api/v1/rules").path("data").path("groups")) {
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
            JsonNode answer = api("/api/v1/query?query=" + URLEncoder.encode(expression, StandardCharsets.UTF_8));
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

    /** Each scrape target's job, health and last error, for a failure message. */
    private static List<String> targets() {
        List<String> targets = new ArrayList<>();
        for (JsonNode target : api("/api/v1/targets").path("data").path("activeTargets")) {
            targets.add(target.path("labels").path("job").asString() + " "
                    + target.path("health").asString() + " "
                    + target.path("lastError").asString());
        }
        return targets;
    }

    private static String configuration(Pipeline pipeline) {
        StringBuilder yaml = new StringBuilder()
                .append("global:\n")
                .append("  scrape_interval: ")
                .append(SCRAPE_INTERVAL.toSeconds())
                .append("s\n")
                .append("  evaluation_interval: ")
                .append(SCRAPE_INTERVAL.toSeconds())
                .append("s\n")
                .append("rule_files:\n  - ")
                .append(RULES.toAbsolutePath().normalize())
                .append("\nscrape_configs:\n");
        // As deploy/prometheus/prometheus.yml: the services' metrics need a token with metrics:read, which Prometheus
        // asks the auth-server for as the monitoring client (client credentials).
        String oauth2 = "\n    oauth2: {client_id: " + AuthClient.MONITORING.clientId() + ", client_secret: '"
                + pipeline.setting(AuthClient.MONITORING.secretKey()) + "', token_url: '"
                + pipeline.base(Service.AUTH_SERVER) + "/oauth2/token'}";
        SERVICE_JOBS.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(job -> yaml.append("  - job_name: ")
                        .append(job.getKey())
                        .append("\n    metrics_path: /actuator/prometheus")
                        .append(oauth2)
                        .append("\n    static_configs: [{targets: ['127.0.0.1:")
                        .append(pipeline.port(job.getValue()))
                        .append("']}]\n"));
        // As deploy/prometheus/prometheus.yml: the broker's per-object endpoint has a series per queue. Every node of
        // a cluster: a quorum queue's series come from the node that leads it.
        List<String> brokers = new ArrayList<>();
        for (int node = 1; node <= pipeline.brokerNodes(); node++) {
            brokers.add("'127.0.0.1:" + pipeline.port(Pipeline.brokerPort(node, "PROMETHEUS_PORT")) + "'");
        }
        yaml.append("  - job_name: rabbitmq\n    metrics_path: /metrics/per-object\n")
                .append("    static_configs: [{targets: [")
                .append(String.join(", ", brokers))
                .append("]}]\n");
        return yaml.toString();
    }

    private static JsonNode api(String path) {
        try {
            HttpResponse<String> response = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(prometheusUrl + path))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return Http.JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("Prometheus did not answer " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        return FreePorts.pick(1)[0];
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }
}
