package dev.orderly.system;

import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Breaks the running pipeline the way the failure drills need, and mends it the way an operator would: {@code kill -9}
 * of a service, a polite stop of the broker or the database, all by the PIDs {@code ./orderly up} recorded in
 * {@code $STATE/run}; then {@code ./orderly up}, which starts only what is not running.
 *
 * <p>Invariant: a process is signalled only if its recorded PID still runs the command {@code up} recorded for it
 * ({@code $STATE/run/NAME.cmd}, the same check the script makes), so a PID the system has since reused is never hit.
 */
final class Faults {

    /**
     * The pipeline's services and the port variable of each one's actuator (readiness at /actuator/health/readiness):
     * order-api's management port, the others' only HTTP port. Not the auth-server: it has no database and no broker,
     * so no drill's fault reaches it.
     */
    static final Map<String, String> SERVICES = servicePorts();

    /** The queues the workers consume from. */
    static final List<String> WORKER_QUEUES = List.of(
            "order.work",
            "payment.work",
            "shipping.work",
            "order.parking-lot",
            "payment.parking-lot",
            "shipping.parking-lot");

    private static final Duration UP_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration READY_DEADLINE = Duration.ofMinutes(2);
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Pipeline pipeline;

    Faults(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    private static Map<String, String> servicePorts() {
        Map<String, String> ports = new LinkedHashMap<>();
        Service.pipeline().forEach(service -> ports.put(service.serviceName(), service.actuatorPortVariable()));
        return Map.copyOf(ports);
    }

    /** The PID {@code up} recorded for {@code name} (a service, postgres or rabbitmq), checked to be that process. */
    long pid(String name) {
        Path run = pipeline.state().resolve("run");
        try {
            long pid = Long.parseLong(Files.readString(run.resolve(name + ".pid"), StandardCharsets.UTF_8)
                    .trim());
            String marker = Files.readString(run.resolve(name + ".cmd"), StandardCharsets.UTF_8);
            if (!runs(pid, marker)) {
                throw new IllegalStateException(name + " is not running: PID " + pid + " does not run " + marker);
            }
            return pid;
        } catch (IOException e) {
            throw new UncheckedIOException("No running " + name + " recorded in " + run, e);
        }
    }

    /** Whether {@code pid} is a live process whose command line contains {@code marker}. */
    static boolean runs(long pid, String marker) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(cmdline, StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .contains(marker);
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * A polite stop of a service: SIGTERM, which lets it finish the deliveries in flight (its graceful shutdown), then
     * waits until the process is gone.
     */
    long stop(String name) {
        return signal(name, "TERM", Duration.ofSeconds(60));
    }

    /** {@code kill -9} of a service (or the broker or database), then waits until the process is gone. */
    long kill9(String name) {
        return signal(name, "KILL", Duration.ofSeconds(15));
    }

    /** The PostgreSQL node that accepts writes now, as {@code up} records it: {@code postgres} or {@code postgres-2}. */
    String databasePrimary() throws SQLException {
        try (java.sql.Connection db = pipeline.databaseSuperuser();
                java.sql.Statement statement = db.createStatement();
                java.sql.ResultSet port = statement.executeQuery("SELECT inet_server_port()")) {
            port.next();
            return port.getInt(1) == pipeline.port("ORDERLY_POSTGRES_PORT") ? "postgres" : "postgres-2";
        }
    }

    /** How many advisory locks (the relay's leases, one per outbox table) the relay's sessions hold on the primary. */
    int relayAdvisoryLocksOnThePrimary() throws SQLException {
        try (java.sql.Connection db = pipeline.databaseSuperuser();
                java.sql.Statement statement = db.createStatement();
                java.sql.ResultSet locks = statement.executeQuery("SELECT count(*) FROM pg_locks l JOIN "
                        + "pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                        + "AND a.usename = 'orderly_relay'")) {
            locks.next();
            return locks.getInt(1);
        }
    }

    /**
     * Stops PostgreSQL as {@code pg_ctl stop -m fast} does: SIGINT to the postmaster (open sessions are ended,
     * nothing committed is lost), and waits until it is gone. {@code ./orderly up} starts it again.
     */
    long stopDatabase() {
        return signal("postgres", "INT", Duration.ofSeconds(60));
    }

    private long signal(String name, String signal, Duration within) {
        long pid = pid(name);
        String marker = marker(name);
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + signal + " " + pid + " (" + name + ") failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not signal " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while signalling " + name, e);
        }
        await(name + " (PID " + pid + ") gone after SIG" + signal)
                .atMost(within)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !runs(pid, marker));
        return pid;
    }

    private String marker(String name) {
        try {
            return Files.readString(pipeline.state().resolve("run").resolve(name + ".cmd"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ./orderly up}: starts what is not running and waits for it; its output in {@code orderly-up-LABEL.log}. */
    String up(String label) {
        return up(label, Map.of());
    }

    /**
     * {@code ./orderly up} with {@code settings} in its environment, which reach only the services it starts now: a
     * service stopped before runs again with them, the others keep what they had.
     */
    String up(String label, Map<String, String> settings) {
        return pipeline.orderly(
                UP_TIMEOUT, pipeline.state().resolveSibling("orderly-up-" + label + ".log"), settings, "up");
    }

    /** Whether the service answers its readiness probe with 200. */
    boolean ready(String service) {
        return Http.probe(base(service) + "/actuator/health/readiness") == 200;
    }

    /** Waits until every service answers its readiness probe with 200. */
    void awaitAllReady() {
        await("every service ready")
                .atMost(READY_DEADLINE)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> SERVICES.keySet().stream().allMatch(this::ready));
    }

    /** The services that do not answer their readiness probe with 200 now. */
    List<String> notReady() {
        return SERVICES.keySet().stream().filter(service -> !ready(service)).toList();
    }

    String base(String service) {
        return "http://127.0.0.1:" + pipeline.port(SERVICES.get(service));
    }

    /**
     * Brings the pipeline back as the next test expects it: {@code ./orderly up} (a no-op for what runs), then every
     * service ready, and the pipeline's own relay active on every outbox table.
     */
    void restore() {
        up("restore");
        awaitAllReady();
        // Readiness does not show a listener container that gave up: the broker shows whether each one consumes.
        await("every worker consuming from its work queue and its parking lot")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> withoutConsumers().isEmpty());
        RelayRoles relay = relayRoles(base("outbox-relay"));
        await("the pipeline's outbox-relay active on every outbox table")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(relay::activeOnEveryTable);
    }

    /** The workers' queues that have no consumer now, according to the broker. */
    List<String> withoutConsumers() {
        return WORKER_QUEUES.stream()
                .filter(queue -> queue(queue).path("consumers").asInt(0) == 0)
                .toList();
    }

    /**
     * A queue of virtual host {@code orderly} as the management API describes it, asked of each broker node in turn
     * until one answers (a node of a cluster may be down); a missing node if none answers.
     */
    JsonNode queue(String name) {
        for (int node = 1; node <= pipeline.brokerNodes(); node++) {
            JsonNode queue = queueOn(node, name);
            if (!queue.isMissingNode()) {
                return queue;
            }
        }
        return Http.JSON.missingNode();
    }

    /** A queue as broker node {@code node}'s management API describes it; a missing node if that node does not answer. */
    JsonNode queueOn(int node, String name) {
        String auth = Base64.getEncoder()
                .encodeToString(("orderly-admin:" + pipeline.setting("ORDERLY_RABBITMQ_ADMIN_PASSWORD"))
                        .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + pipeline.port(Pipeline.brokerPort(node, "MANAGEMENT_PORT")) + "/api/queues/orderly/" + name))
                .timeout(Duration.ofSeconds(5))
                .header("Authorization", "Basic " + auth)
                .GET()
                .build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Http.JSON.readTree(response.body()) : Http.JSON.missingNode();
        } catch (IOException e) {
            return Http.JSON.missingNode(); // this node does not answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Http.JSON.missingNode();
        }
    }

    /** Broker node {@code nodeName}'s number: 1 for {@code orderly@localhost}, 2 for {@code orderly-2@localhost}, ... */
    int brokerNode(String nodeName) {
        for (int node = 1; node <= pipeline.brokerNodes(); node++) {
            if (Pipeline.brokerNodeName(node).equals(nodeName)) {
                return node;
            }
        }
        throw new IllegalArgumentException("No broker node " + nodeName + " in " + pipeline);
    }

    /**
     * Whether broker node {@code node} takes AMQP connections: a node paused in a minority ({@code pause_minority})
     * closes its listener until it sees the majority again.
     */
    boolean brokerNodeServing(int node) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(
                    new java.net.InetSocketAddress("127.0.0.1", pipeline.port(Pipeline.brokerPort(node, "PORT"))),
                    1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The name {@code up} records broker node {@code nodeName}'s start script by: {@code rabbitmq}, {@code rabbitmq-2}. */
    String brokerProcess(String nodeName) {
        int node = brokerNode(nodeName);
        return node == 1 ? "rabbitmq" : "rabbitmq-" + node;
    }

    /** The node that leads quorum queue {@code queue} now, according to the broker. */
    String leaderOf(String queue) {
        String leader = queue(queue).path("leader").asString("");
        if (leader.isEmpty()) {
            throw new IllegalStateException("The broker names no leader of " + queue + ": " + queue(queue));
        }
        return leader;
    }

    /**
     * {@code kill -9} of broker node {@code nodeName}'s Erlang VM, as when its machine dies: its connections drop
     * without a close, the queues it led elect new leaders among the other members. Waits until it is gone.
     */
    long killBrokerNode(String nodeName) {
        return kill9(brokerProcess(nodeName) + "-vm");
    }

    /** Stops broker node {@code nodeName} as a polite operator would (SIGTERM to its start script), and waits. */
    long stopBrokerNode(String nodeName) {
        return signal(brokerProcess(nodeName), "TERM", Duration.ofSeconds(90));
    }

    /**
     * Waits until every work queue, retry tier and parking lot of the workers has a member online on every broker node:
     * the cluster is whole again and may lose another node.
     */
    void awaitClusterWhole() {
        int nodes = pipeline.brokerNodes();
        await("every worker queue with a member online on each of the " + nodes + " broker nodes")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> WORKER_QUEUES.stream()
                        .allMatch(queue -> queue(queue).path("online").size() == nodes));
    }

    /**
     * The workers' consumer counters now, per worker process: deliveries that came back redelivered, duplicates
     * absorbed (an event already processed), deliveries sent to a retry tier, and parked ones.
     */
    ConsumerCounters consumerCounters() {
        Map<String, long[]> counters = new LinkedHashMap<>();
        for (String worker : List.of("order-worker", "payment-worker", "shipping-worker")) {
            long[] values = new long[] {pid(worker), 0, 0, 0, 0};
            String metrics;
            try {
                metrics = CLIENT.send(
                                HttpRequest.newBuilder(URI.create(base(worker) + "/actuator/prometheus"))
                                        .timeout(Duration.ofSeconds(5))
                                        .header("Authorization", "Bearer " + pipeline.token("monitoring"))
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read the metrics of " + worker, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while reading the metrics of " + worker, e);
            }
            for (String line : metrics.lines().toList()) {
                int index = counterIndex(line);
                if (index > 0) {
                    values[index] += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            counters.put(worker, values);
        }
        return new ConsumerCounters(counters);
    }

    /** Which counter of {@link ConsumerCounters} a Prometheus sample line adds to; -1 for none. */
    private static int counterIndex(String line) {
        if (line.startsWith("orderly_consumer_redelivered_total")) {
            return 2;
        }
        if (!line.startsWith("orderly_consumer_messages_total")) {
            return -1;
        }
        if (line.contains("outcome=\"duplicate\"")) {
            return 1;
        }
        if (line.contains("outcome=\"retried\"")) {
            return 3;
        }
        return line.contains("outcome=\"parked\"") ? 4 : -1;
    }

    /** A snapshot of {@link #consumerCounters()}: worker → [pid, duplicates, redelivered, retried, parked]. */
    record ConsumerCounters(Map<String, long[]> byWorker) {

        /**
         * What the workers counted from {@code before} to this snapshot; a worker restarted in between counts from
         * its restart (what its killed predecessor counted is gone with it).
         */
        String since(ConsumerCounters before) {
            long[] total = new long[5];
            byWorker.forEach((worker, now) -> {
                long[] then = before.byWorker().get(worker);
                boolean sameProcess = then != null && then[0] == now[0];
                for (int i = 1; i < now.length; i++) {
                    total[i] += sameProcess ? now[i] - then[i] : now[i];
                }
            });
            return "consumers: %d redeliveries, %d duplicates absorbed, %d sent to a retry tier, %d parked"
                    .formatted(total[2], total[1], total[3], total[4]);
        }
    }

    /** The relay instance at {@code base}, asked with the operator's token (its health details need actuator:read). */
    RelayRoles relayRoles(String base) {
        return new RelayRoles(new Http(base, () -> pipeline.token("operator")));
    }

    /** What an outbox-relay instance says about its role per table, from its {@code /actuator/health}. */
    record RelayRoles(Http relay) {

        /** Table → "active" or "standby"; empty if the instance does not answer. */
        Map<String, String> roles() {
            Http.Answer answer;
            try {
                answer = relay.get("/actuator/health");
            } catch (RuntimeException unreachable) {
                return Map.of();
            }
            Map<String, String> roles = new LinkedHashMap<>();
            answer.body()
                    .path("components")
                    .path("outboxRelay")
                    .path("details")
                    .path("tables")
                    .properties()
                    .forEach(table -> roles.put(
                            table.getKey(), table.getValue().path("role").asString()));
            return roles;
        }

        boolean activeOnEveryTable() {
            return has("active");
        }

        boolean standbyOnEveryTable() {
            return has("standby");
        }

        private boolean has(String role) {
            Map<String, String> roles = roles();
            return roles.size() == 3 && roles.values().stream().allMatch(role::equals);
        }
    }
}
