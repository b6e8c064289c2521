package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Json;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.EventsProbe.Received;
import dev.orderly.relay.lease.LeaseKey;
import dev.orderly.relay.outbox.OutboxPartition;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.PostgresServer;
import dev.orderly.testsupport.RabbitBroker;
import dev.orderly.testsupport.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two real relay processes (the built {@code -exec} jar) sharing one table divided into four partitions: each publishes
 * two. One is killed with {@code kill -9} in the middle of a stream; the other takes its two partitions over within
 * seconds, and in the end every row has reached a consumer at least once and each aggregate's events arrived in order
 * (duplicates allowed, gaps and reordering not). The table not divided, one instance active and one standing by, is
 * the system tests' drill ({@code activeRelayKilledMidStreamWhileAStandbyRuns}).
 */
class FailoverIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_failover");

    static final String EVENT_TYPE = "test.failover";

    static final int AGGREGATES = 20;

    static final int ROWS = 4_000;

    static final int ROWS_PER_TICK = 100;

    static final int PARTITIONS = 4;

    static final Map<String, RelayProcess> relays = new HashMap<>();

    @BeforeAll
    static void startTwoRelays() {
        OrdersSchema.outboxCopy(TABLE.table());
        EventsProbe.declareEventsTopology();
        Path jar = execJar();
        relays.put("relay-a", RelayProcess.start("relay-a", jar));
        relays.put("relay-b", RelayProcess.start("relay-b", jar));
        relays.values().forEach(RelayProcess::awaitReady);
    }

    @AfterAll
    static void stopRelays() {
        relays.values().forEach(RelayProcess::stop);
    }

    @Test
    void twoRelaysShareFourPartitionsAndTheSurvivorTakesTheKilledOnesOverWithEveryAggregateInOrder()
            throws InterruptedException {
        // Whichever started first took every partition; once both run, each holds two.
        Map<String, Long> shares = await("two partitions held by each relay")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        FailoverIntegrationTests::partitionsHeld,
                        held -> held.equals(Map.of("relay-a", 2L, "relay-b", 2L)));
        System.out.printf("partitions held: %s%n", shares);
        String victim = "relay-a";
        String survivor = "relay-b";

        try (EventsProbe consumer = EventsProbe.onEvents(EVENT_TYPE)) {
            AtomicInteger written = new AtomicInteger();
            ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
            try {
                // 1,000 rows a second for four seconds: the kill lands while batches are in flight.
                writer.scheduleAtFixedRate(
                        () -> {
                            int from = written.get();
                            if (from < ROWS) {
                                OrdersSchema.insertMany(TABLE, from, ROWS_PER_TICK, EVENT_TYPE, AGGREGATES);
                                written.addAndGet(ROWS_PER_TICK);
                            }
                        },
                        0,
                        100,
                        TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> OrdersSchema.publishedCount(TABLE) >= 1_000);

                relays.get(victim).kill();
                long killed = System.nanoTime();

                await().atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> partitionsHeld().equals(Map.of(survivor, (long) PARTITIONS)));
                Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
                System.out.printf(
                        "failover: %s killed, %s holds all %d partitions after %d ms%n",
                        victim, survivor, PARTITIONS, takeover.toMillis());
                assertThat(takeover).isLessThan(Duration.ofSeconds(10));

                await().atMost(Duration.ofSeconds(30)).until(() -> written.get() >= ROWS);
                writer.shutdown();
                assertThat(writer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                writer.shutdownNow();
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> OrdersSchema.publishedCount(TABLE) == ROWS);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> distinct(consumer.received()).size() == ROWS);

            List<Received> received = consumer.received();
            System.out.printf(
                    "failover: %d messages for %d rows (%d duplicates)%n",
                    received.size(), ROWS, received.size() - ROWS);
            assertEachAggregateInOrder(received);
        }
    }

    /** Per aggregate, the first delivery of each event comes in sequence 0, 1, 2, ... with nothing missing. */
    static void assertEachAggregateInOrder(List<Received> received) {
        Map<String, List<Integer>> firstDeliveries = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Received message : received) {
            JsonNode body = Json.mapper().readTree(message.body());
            String aggregate = body.get("aggregate").asString();
            int seq = body.get("seq").asInt();
            if (seen.add(aggregate + "/" + seq)) {
                firstDeliveries
                        .computeIfAbsent(aggregate, a -> new ArrayList<>())
                        .add(seq);
            }
        }
        assertThat(firstDeliveries).hasSize(AGGREGATES);
        firstDeliveries.forEach((aggregate, seqs) -> {
            List<Integer> expected =
                    Stream.iterate(0, i -> i + 1).limit(ROWS / AGGREGATES).toList();
            assertThat(seqs).as("first deliveries of %s", aggregate).containsExactlyElementsOf(expected);
        });
    }

    static Set<String> distinct(List<Received> received) {
        Set<String> ids = new HashSet<>();
        received.forEach(message -> ids.add(message.messageId()));
        return ids;
    }

    /** Instance → how many of the partitions' leases its sessions hold, as an operator finds them. */
    static Map<String, Long> partitionsHeld() throws SQLException {
        Long[] keys = new Long[PARTITIONS];
        for (int index = 0; index < PARTITIONS; index++) {
            keys[index] = LeaseKey.of(new OutboxPartition(TABLE, index, PARTITIONS));
        }
        try (Connection connection = OrderlyInfrastructure.postgres().connectAsSuperuser();
                PreparedStatement statement = connection.prepareStatement("""
                        SELECT split_part(a.application_name, '/', 2), count(*)
                        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                          AND ((l.classid::bigint << 32) | l.objid::bigint) = ANY(?)
                        GROUP BY 1
                        """)) {
            statement.setArray(1, connection.createArrayOf("bigint", keys));
            Map<String, Long> held = new HashMap<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    held.put(result.getString(1), result.getLong(2));
                }
            }
            return held;
        }
    }

    static Path execJar() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(file -> file.getFileName().toString().matches("outbox-relay-.*-exec\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("target/outbox-relay-*-exec.jar is missing: this "
                            + "test runs after `package` (./mvnw verify -pl outbox-relay), which builds it"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One relay JVM started from the runnable jar, stopped by its PID. */
    record RelayProcess(String instance, Process process, int port) {

        static RelayProcess start(String instance, Path jar) {
            PostgresServer postgres = OrderlyInfrastructure.postgres();
            RabbitBroker rabbit = OrderlyInfrastructure.rabbit();
            int port = freePort();
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(
                            java,
                            "-XX:+UseSerialGC",
                            "-XX:TieredStopAtLevel=1",
                            "-Xss512k",
                            "-XX:MaxRAM=512m",
                            "-jar",
                            jar.toString(),
                            "--server.port=" + port,
                            "--spring.datasource.url=" + postgres.jdbcUrl(),
                            "--spring.datasource.username=orderly_relay",
                            "--spring.rabbitmq.host=" + rabbit.host(),
                            "--spring.rabbitmq.port=" + rabbit.amqpPort(),
                            "--spring.rabbitmq.virtual-host=" + rabbit.virtualHost(),
                            "--spring.rabbitmq.username=" + rabbit.adminUser(),
                            "--logging.structured.format.console=",
                            "--orderly.relay.instance-id=" + instance,
                            "--orderly.relay.tables=" + TABLE.qualifiedName(),
                            "--orderly.relay.partitions=" + PARTITIONS,
                            "--orderly.relay.lease.retry-interval=500ms",
                            // A bare test broker with no work queues: the relay declares orders.events itself,
                            // and the test's own event types have no routes to check.
                            "--orderly.messaging.topology.declare=true",
                            "--orderly.relay.routes.verify=false",
                            // Its management side is a resource server: it does not start without a key to check
                            // tokens with (the probe awaited here needs none).
                            "--" + TestKeys.PUBLIC_KEY_LOCATION + "=" + TestKeys.publicKeyLocation())
                    .redirectErrorStream(true)
                    .redirectOutput(
                            Path.of("target", "failover-" + instance + ".log").toFile());
            // The broker takes TLS only, with the client certificate (files: no secret on the command line).
            rabbit.springSslProperties()
                    .forEach((name, value) -> builder.command().add("--" + name + "=" + value));
            // Secrets through the environment, not the command line that `ps` shows.
            builder.environment().put("SPRING_DATASOURCE_PASSWORD", postgres.passwordFor("orderly_relay"));
            builder.environment().put("SPRING_RABBITMQ_PASSWORD", rabbit.adminPassword());
            try {
                return new RelayProcess(instance, builder.start(), port);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start relay " + instance + " from " + jar, e);
            }
        }

        void awaitReady() {
            await(instance + " ready on port " + port)
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .failFast(instance + " exited; see target/failover-" + instance + ".log", () -> !process.isAlive())
                    .until(() -> readiness() == 200);
        }

        int readiness() {
            try (HttpClient client = HttpClient.newHttpClient()) {
                return client.send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                                        .timeout(Duration.ofSeconds(2))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** {@code kill -9}: no shutdown hook, no lease release, the socket closed by the kernel. */
        void kill() {
            process.destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
        }

        void stop() {
            if (!process.isAlive()) {
                return;
            }
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }

        static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
