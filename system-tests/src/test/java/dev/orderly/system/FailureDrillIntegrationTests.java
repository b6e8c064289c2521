package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The failure drills of issue 5: under a bounded stream of orders, one part of the pipeline is killed or restarted
 * mid-stream and brought back the way an operator would ({@code ./orderly up}, which starts only what is not running);
 * then {@link Reconciliation} checks every accepted order against its final state, the payment ledger, the shipments
 * and the stock. Pass: every accepted order reaches a final state, 0 duplicate charges, 0 duplicate shipments, 0 lost
 * events, and no human step (no replay, no purge, no restart beyond {@code up}).
 *
 * <p>Each drill prints a one-line reconciliation summary ({@code DRILL ...}) to the test's output. Every drill is bounded
 * in time, stops what it started (its stream, the standby relay), and leaves the pipeline whole for whatever runs next:
 * {@code ./orderly up}, every service ready, the pipeline's relay active.
 */
@ExtendWith(PipelineExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 9, unit = TimeUnit.MINUTES)
class FailureDrillIntegrationTests {

    /** Orders per drill, and their rate: hundreds, at a pace two cores keep up with beside five services. */
    private static final int ORDERS = 240;

    private static final double PER_SECOND = 20;

    /**
     * The rate for a RabbitMQ cluster: three nodes replicate every message among three Erlang VMs on the same two
     * cores, and at 20 orders a second the undisturbed pipeline already lagged seconds behind (one run: the API
     * accepted 4.4 orders a second, and orders created before the fault took 5.3 s to their final state at the median).
     */
    private static final double CLUSTER_PER_SECOND = 8;

    /** Orders accepted before the fault is injected. */
    private static final int FAULT_AT = 60;

    /** Orders accepted (or requests turned away) while the fault lasts, before the pipeline is mended. */
    private static final int UNDER_FAULT = 30;

    /** Every order is accepted or given up within this. */
    private static final Duration STREAM_DEADLINE = Duration.ofMinutes(4);

    private static final Duration PROGRESS_DEADLINE = Duration.ofMinutes(1);

    /** The services' default {@code orderly.database.socket-timeout}. */
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    private final Pipeline pipeline;
    private final Shop shop;
    private final Faults faults;
    private final Reconciliation reconciliation;

    FailureDrillIntegrationTests(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.shop = new Shop(pipeline);
        this.faults = new Faults(pipeline);
        this.reconciliation = new Reconciliation(pipeline, faults);
    }

    @BeforeEach
    void everyServiceReady() {
        faults.awaitAllReady();
    }

    @AfterEach
    void mendThePipeline() {
        faults.restore();
    }

    @Test
    @Order(1)
    void orderWorkerKilledMidStream() {
        killWorker("order-worker", "k9order");
    }

    @Test
    @Order(2)
    void paymentWorkerKilledMidStream() {
        killWorker("payment-worker", "k9pay");
    }

    @Test
    @Order(3)
    void shippingWorkerKilledMidStream() {
        killWorker("shipping-worker", "k9ship");
    }

    /**
     * A standby relay waits on the outbox tables' advisory locks; {@code kill -9} of the active one hands every table
     * to it at once (the killed session's locks are released when its socket closes), and the restarted relay stands
     * by in turn.
     */
    @Test
    @Order(4)
    void activeRelayKilledMidStreamWhileAStandbyRuns() {
        try (StandbyRelay standby = StandbyRelay.start(pipeline, faults)) {
            drill("kill -9 active outbox-relay (standby running)", "k9relay", ORDERS, PER_SECOND, (stream, notes) -> {
                int at = stream.accepted();
                Instant killed = Instant.now();
                long pid = faults.kill9("outbox-relay");
                await("the standby relay active on every outbox table")
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> standby.roles().activeOnEveryTable());
                notes.append("relay PID ")
                        .append(pid)
                        .append(" killed at ")
                        .append(at)
                        .append(" accepted; standby active on every table ")
                        .append(Duration.between(killed, Instant.now()).toMillis())
                        .append(" ms later");
                stream.awaitAccepted(stream.accepted() + UNDER_FAULT, PROGRESS_DEADLINE);
                mend(notes, "k9relay");
                Faults.RelayRoles restarted = faults.relayRoles(faults.base("outbox-relay"));
                await("the restarted relay standing by on every table")
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(250))
                        .until(restarted::standbyOnEveryTable);
                notes.append("; the restarted relay stands by");
            });
        }
    }

    @Test
    @Order(5)
    void orderApiKilledMidStream() {
        drill("kill -9 order-api", "k9api", ORDERS, PER_SECOND, (stream, notes) -> {
            int at = stream.accepted();
            long pid = faults.kill9("order-api");
            notes.append("order-api PID ")
                    .append(pid)
                    .append(" killed at ")
                    .append(at)
                    .append(" accepted");
            stream.awaitMoreRetries(UNDER_FAULT, PROGRESS_DEADLINE);
            mend(notes, "k9api");
        });
    }

    /**
     * RabbitMQ as production runs it, a cluster of three nodes with a member of every quorum queue on each: {@code kill
     * -9} of the node that leads the work queues, as when its machine dies. The other two elect new leaders, the
     * services whose connections were on it reconnect to the others (their address list, shuffled), and the relay
     * publishes what was unconfirmed again; {@code ./orderly up} restarts the node, which rejoins and catches up.
     */
    @Test
    @Order(6)
    void brokerNodeLeadingTheWorkQueuesKilledMidStream() {
        Assumptions.assumeTrue(pipeline.brokerNodes() >= 3, "needs the RabbitMQ cluster (-Dorderly.rabbitmq.nodes=3)");
        drill(
                "kill -9 the RabbitMQ node leading the work queues",
                "k9mq",
                ORDERS,
                CLUSTER_PER_SECOND,
                (stream, notes) -> {
                    int at = stream.accepted();
                    String leader = faults.leaderOf("order.work");
                    Instant killed = Instant.now();
                    long pid = faults.killBrokerNode(leader);
                    await("a new leader of order.work")
                            .atMost(Duration.ofSeconds(30))
                            .pollInterval(Duration.ofMillis(100))
                            .until(() -> {
                                String now = faults.queue("order.work")
                                        .path("leader")
                                        .asString("");
                                return !now.isEmpty() && !now.equals(leader);
                            });
                    notes.append(leader)
                            .append(" (VM PID ")
                            .append(pid)
                            .append(") killed at ")
                            .append(at)
                            .append(" accepted; order.work led by ")
                            .append(faults.leaderOf("order.work"))
                            .append(' ')
                            .append(Duration.between(killed, Instant.now()).toMillis())
                            .append(" ms later");
                    stream.awaitAccepted(stream.accepted() + UNDER_FAULT, PROGRESS_DEADLINE);
                    mend(notes, "k9mq");
                    faults.awaitClusterWhole();
                });
    }

    /**
     * One RabbitMQ node of three cut off from the other two, its clients still reaching it: every packet of its
     * distribution connections dropped (its distribution port and the address its own connections come from), the
     * node that leads the work queues, as when a switch port dies. The two others elect new leaders; the cut-off node
     * finds itself in a minority once Erlang's tick times out ({@code net_ticktime}, 60 s by default) and pauses
     * ({@code cluster_partition_handling = pause_minority}), closing its clients' connections, which move to the
     * majority; when the network is back it resumes and rejoins by itself, with no {@code ./orderly up}. Nothing
     * accepted is lost or doubled; the stall of the orders whose connections were on it is reported.
     */
    @Test
    @Order(7)
    void brokerNodeCutOffFromTheOtherTwoMidStream() {
        Assumptions.assumeTrue(pipeline.brokerNodes() >= 3, "needs the RabbitMQ cluster (-Dorderly.rabbitmq.nodes=3)");
        Assumptions.assumeTrue(
                PacketDrop.available(), "needs root and iptables (./orderly test installs iptables; run it as root)");
        drill("one RabbitMQ node cut off from the other two", "mqcut", ORDERS, CLUSTER_PER_SECOND, (stream, notes) -> {
            int at = stream.accepted();
            String cutOff = faults.leaderOf("order.work");
            int node = faults.brokerNode(cutOff);
            int majority = node == 1 ? 2 : 1;
            Instant cut = Instant.now();
            try (PacketDrop drop = PacketDrop.isolating(
                    pipeline.port(Pipeline.brokerPort(node, "DIST_PORT")),
                    dev.orderly.testsupport.ProcessRabbit.clusterNodeAddress(node))) {
                // Within seconds if quorum queues' own failure detection sees the leader gone, at the latest once
                // Erlang's tick does (net_ticktime 60 s: 45 to 75 s).
                await("order.work led by one of the other two nodes")
                        .atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> {
                            String leader = faults.queueOn(majority, "order.work")
                                    .path("leader")
                                    .asString("");
                            return !leader.isEmpty() && !leader.equals(cutOff);
                        });
                Duration elected = Duration.between(cut, Instant.now());
                await(cutOff + " paused in its minority (its AMQP listener closed)")
                        .atMost(Duration.ofSeconds(150))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> !faults.brokerNodeServing(node));
                notes.append(cutOff)
                        .append(" cut off at ")
                        .append(at)
                        .append(" accepted; order.work led by another node ")
                        .append(elected.toMillis())
                        .append(" ms later; the cut-off node paused ")
                        .append(Duration.between(cut, Instant.now()).toSeconds())
                        .append(" s after the cut");
            }
            Instant healed = Instant.now();
            await(cutOff + " serving again, back in its cluster by itself")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> faults.brokerNodeServing(node));
            faults.awaitClusterWhole();
            notes.append("; serving again and the cluster whole ")
                    .append(Duration.between(healed, Instant.now()).toSeconds())
                    .append(" s after the network came back");
        });
    }

    /**
     * Every RabbitMQ node stopped politely and started again, one at a time, each once the cluster is whole again, as
     * an upgrade does it; a single node is stopped and started once. For a cluster the stream is slower and longer, so
     * that orders arrive while each node is away.
     */
    @Test
    @Order(8)
    void everyBrokerNodeRestartedInTurnMidStream() {
        int nodes = pipeline.brokerNodes();
        // A cluster's restart takes a minute or two: a slower, longer stream keeps orders arriving through all of it.
        int orders = nodes > 1 ? 400 : ORDERS;
        double perSecond = nodes > 1 ? CLUSTER_PER_SECOND : PER_SECOND;
        drill("RabbitMQ rolling restart of " + nodes + " node(s)", "mqroll", orders, perSecond, (stream, notes) -> {
            for (int node = 1; node <= nodes; node++) {
                String name = Pipeline.brokerNodeName(node);
                int at = stream.accepted();
                Instant stopping = Instant.now();
                faults.stopBrokerNode(name);
                notes.append(node == 1 ? "" : "; ")
                        .append(name)
                        .append(" stopped at ")
                        .append(at)
                        .append(" accepted (clean stop took ")
                        .append(Duration.between(stopping, Instant.now()).toSeconds())
                        .append(" s)");
                stream.awaitAccepted(stream.accepted() + UNDER_FAULT / nodes, PROGRESS_DEADLINE);
                mend(notes, "mqroll-" + node);
                if (nodes > 1) {
                    faults.awaitClusterWhole();
                }
            }
        });
    }

    @Test
    @Order(9)
    void databaseRestartedMidStream() {
        drill("PostgreSQL restart", "pgrestart", ORDERS, PER_SECOND, (stream, notes) -> {
            int at = stream.accepted();
            faults.stopDatabase();
            notes.append("database stopped (fast) at ").append(at).append(" accepted");
            stream.awaitMoreRetries(6, PROGRESS_DEADLINE);
            mend(notes, "pgrestart");
        });
    }

    /**
     * Every packet between the pipeline and PostgreSQL is dropped, for longer than the services' socket timeout
     * ({@code orderly.database.socket-timeout}, 30 s): nothing fails or answers, as when a network path dies without a
     * reset. Each service must notice by itself (readiness DOWN), give up on its stuck connections, and recover once
     * packets flow again, with no restart and nothing lost.
     */
    @Test
    @Order(10)
    void databasePacketsSilentlyDroppedForLongerThanTheSocketTimeout() {
        Assumptions.assumeTrue(
                PacketDrop.available(), "needs root and iptables (./orderly test installs iptables; run it as root)");
        Map<String, Long> pids = new LinkedHashMap<>();
        Faults.SERVICES.keySet().forEach(service -> pids.put(service, faults.pid(service)));
        drill(
                "PostgreSQL packets dropped for longer than the socket timeout",
                "pgdrop",
                ORDERS,
                PER_SECOND,
                (stream, notes) -> {
                    int at = stream.accepted();
                    Instant dropped = Instant.now();
                    try (PacketDrop drop = PacketDrop.on(pipeline.port("ORDERLY_POSTGRES_PORT"))) {
                        await("every service noticing the lost database, for longer than the socket timeout")
                                .atMost(Duration.ofSeconds(90))
                                .pollInterval(Duration.ofSeconds(1))
                                .until(() -> Duration.between(dropped, Instant.now())
                                                        .compareTo(SOCKET_TIMEOUT.plusSeconds(5))
                                                > 0
                                        && faults.notReady().containsAll(Faults.SERVICES.keySet()));
                    }
                    notes.append("packets to and from PostgreSQL dropped at ")
                            .append(at)
                            .append(" accepted, for ")
                            .append(Duration.between(dropped, Instant.now()).toSeconds())
                            .append(" s");
                    Instant lifted = Instant.now();
                    faults.awaitAllReady();
                    notes.append("; every service ready again ")
                            .append(Duration.between(lifted, Instant.now()).toSeconds())
                            .append(" s later, without a restart");
                    // The relay's old sessions died with the network; the server must end them too (its TCP
                    // keepalives), or their advisory locks keep every lease from the relay's new sessions for as long
                    // as the kernel's retransmissions take to reach it: once over a minute.
                    Faults.RelayRoles relay = faults.relayRoles(faults.base("outbox-relay"));
                    await("the relay active on every outbox table again, its old sessions' leases released")
                            .atMost(Duration.ofSeconds(30))
                            .pollInterval(Duration.ofMillis(250))
                            .until(relay::activeOnEveryTable);
                    notes.append("; the relay active on every table ")
                            .append(Duration.between(lifted, Instant.now()).toSeconds())
                            .append(" s after packets flowed");
                    Faults.SERVICES
                            .keySet()
                            .forEach(service -> assertThat(faults.pid(service))
                                    .as("%s was not restarted", service)
                                    .isEqualTo(pids.get(service)));
                });
    }

    /**
     * PostgreSQL as production runs it, a primary with a synchronous standby: {@code kill -9} of the primary's
     * postmaster, as when its machine dies, then {@code ./orderly failover} promotes the standby, which has every commit
     * the primary confirmed. The services' URL names both nodes ({@code targetServerType=primary}): their next
     * connections land on the promoted one, the relay's lease and LISTEN session included; {@code ./orderly up} makes
     * the old primary the new one's standby. Last of the drills: the primary is node 2 from here on.
     */
    @Test
    @Order(11)
    void databasePrimaryKilledMidStreamAndTheStandbyPromoted() throws SQLException {
        Assumptions.assumeTrue(
                pipeline.databaseNodes() == 2, "needs the PostgreSQL standby (-Dorderly.postgres.standby=1)");
        String primary = faults.databasePrimary();
        drill("kill -9 the PostgreSQL primary, standby promoted", "pgfailover", ORDERS, PER_SECOND, (stream, notes) -> {
            int at = stream.accepted();
            Instant killed = Instant.now();
            long pid = faults.kill9(primary);
            pipeline.orderly("failover");
            notes.append(primary)
                    .append(" (PID ")
                    .append(pid)
                    .append(") killed at ")
                    .append(at)
                    .append(" accepted; ./orderly failover promoted the standby ")
                    .append(Duration.between(killed, Instant.now()).toMillis())
                    .append(" ms later");
            stream.awaitAccepted(stream.accepted() + UNDER_FAULT, PROGRESS_DEADLINE);
            mend(notes, "pgfailover");
        });
        assertThat(faults.databasePrimary())
                .as("the promoted standby is the primary")
                .isNotEqualTo(primary);
        await("the relay's lease on every outbox table held on the new primary")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> faults.relayAdvisoryLocksOnThePrimary() >= 3);
    }

    private void killWorker(String worker, String tag) {
        drill("kill -9 " + worker, tag, ORDERS, PER_SECOND, (stream, notes) -> {
            int at = stream.accepted();
            long pid = faults.kill9(worker);
            notes.append(worker)
                    .append(" PID ")
                    .append(pid)
                    .append(" killed at ")
                    .append(at)
                    .append(" accepted");
            stream.awaitAccepted(stream.accepted() + UNDER_FAULT, PROGRESS_DEADLINE);
            mend(notes, tag);
        });
    }

    /** {@code ./orderly up}, timed: it starts what is down and waits until it is ready. */
    private void mend(StringBuilder notes, String tag) {
        Instant mending = Instant.now();
        faults.up(tag);
        notes.append("; ./orderly up brought it back in ")
                .append(Duration.between(mending, Instant.now()).toSeconds())
                .append(" s");
    }

    /** What a drill does to the pipeline once the stream is under way, until the pipeline is mended. */
    @FunctionalInterface
    private interface Fault {
        void inject(OrderStream stream, StringBuilder notes);
    }

    /**
     * Stocks the drill's SKUs, starts the stream ({@code orders} at {@code perSecond}), injects the fault once {@link #FAULT_AT} orders are accepted, lets
     * the stream end, and reconciles.
     */
    private Reconciliation.Report drill(String name, String tag, int orders, double perSecond, Fault fault) {
        OrderStream.Mix mix = OrderStream.Mix.create(
                shop, tag + "-" + UUID.randomUUID().toString().substring(0, 4));
        Faults.ConsumerCounters before = faults.consumerCounters();
        Instant began = Instant.now();
        StringBuilder notes = new StringBuilder();
        OrderStream.Outcome outcome;
        Instant faulted;
        try (OrderStream stream =
                OrderStream.start(pipeline.api(), pipeline::token, mix, orders, perSecond, STREAM_DEADLINE)) {
            stream.awaitAccepted(FAULT_AT, PROGRESS_DEADLINE);
            faulted = Instant.now();
            fault.inject(stream, notes);
            outcome = stream.awaitEnd();
        }
        notes.append("; stream of ").append(outcome.took().toSeconds()).append(" s");
        return reconciliation.reconcile(
                name,
                outcome,
                began,
                faulted,
                notes,
                () -> faults.consumerCounters().since(before));
    }
}
