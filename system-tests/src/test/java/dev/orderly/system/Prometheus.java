package dev.orderly.system;

import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.FreePorts;
import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * Debian's Prometheus, private to one test class, watching the running pipeline as compose and Helm set it up: the
 * five services' {@code /actuator/prometheus} scraped with the monitoring client's token (client credentials at the
 * auth-server), every broker node's {@code /metrics/per-object}, the job names the rules and panels select on, and the
 * rules file both setups ship. It listens on a free loopback port and keeps its data under the pipeline's target
 * directory.
 *
 * <p>Invariant: the process ends with {@link #close()} (or, if the JVM dies first, with it).
 */
final class Prometheus implements AutoCloseable {

    static final Path RULES = Path.of("..", "helm/orderly/files/prometheus/orderly-rules.yml");

    /** Scrape jobs as compose and Helm name them → the env file's port variable of the service's actuator. */
    static final Map<String, String> SERVICE_JOBS =
            Service.pipeline().stream().collect(Collectors.toMap(Service::serviceName, Service::actuatorPortVariable));

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final String url;
    private final Path home;

    private Prometheus(Process process, String url, Path home) {
        this.process = process;
        this.url = url;
        this.home = home;
    }

    /**
     * Starts a fresh Prometheus (no data of an earlier run) in {@code target/NAME}, scraping and evaluating the rules
     * every {@code interval}, and waits until it is ready.
     */
    static Prometheus start(Pipeline pipeline, String name, Duration interval) throws IOException {
        Path home = pipeline.state().resolveSibling(name);
        deleteRecursively(home);
        Files.createDirectories(home.resolve("data"));
        Files.writeString(home.resolve("prometheus.yml"), configuration(pipeline, interval));
        int port = FreePorts.pick(1)[0];
        String url = "http://127.0.0.1:" + port;
        Process process = new ProcessBuilder(
                        "prometheus",
                        "--config.file=" + home.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + home.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("prometheus.log").toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        await("Prometheus ready (log: " + home.resolve("prometheus.log") + ")")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .failFast("prometheus exited", () -> !process.isAlive())
                .until(() -> Http.probe(url + "/-/ready") == 200);
        return new Prometheus(process, url, home);
    }

    /** The answer of Prometheus's HTTP API at {@code path} (e.g. {@code /api/v1/rules}). */
    JsonNode api(String path) {
        try {
            HttpResponse<String> response = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(url + path))
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

    /**
     * The alerts that are pending or firing now, each as its name and labels (without {@code severity}) → its state
     * ({@code pending} or {@code firing}), e.g. {@code WorkQueueBacklog{consumer=payment}} → {@code firing}.
     */
    Map<String, String> alerts() {
        Map<String, String> alerts = new TreeMap<>();
        for (JsonNode alert : api("/api/v1/alerts").path("data").path("alerts")) {
            Map<String, String> labels = new TreeMap<>();
            alert.path("labels")
                    .properties()
                    .forEach(
                            label -> labels.put(label.getKey(), label.getValue().asString()));
            String name = labels.remove("alertname");
            labels.remove("severity");
            alerts.put(
                    name
                            + labels.entrySet().stream()
                                    .map(label -> label.getKey() + "=" + label.getValue())
                                    .collect(Collectors.joining(",", "{", "}")),
                    alert.path("state").asString());
        }
        return alerts;
    }

    /** Each scrape target's job, health and last error, for a failure message. */
    List<String> targets() {
        List<String> targets = new ArrayList<>();
        for (JsonNode target : api("/api/v1/targets").path("data").path("activeTargets")) {
            targets.add(target.path("labels").path("job").asString() + " "
                    + target.path("health").asString() + " "
                    + target.path("lastError").asString());
        }
        return targets;
    }

    Path log() {
        return home.resolve("prometheus.log");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    private static String configuration(Pipeline pipeline, Duration interval) {
        StringBuilder yaml = new StringBuilder()
                .append("global:\n")
                .append("  scrape_interval: ")
                .append(interval.toSeconds())
                .append("s\n")
                .append("  evaluation_interval: ")
                .append(interval.toSeconds())
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

    private static void deleteRecursively(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }
}
