package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.AuthUser;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The slow-consumer drill: payment-worker's gateway slows down under a bounded stream of orders, and an operator sees
 * it where they would look. The console shows payment.work's backlog (in seconds of work, past the SLO) and the orders
 * stuck in RESERVED, each a link; the real Prometheus of compose and Helm (Debian's, with the rules both ship) fires
 * {@code WorkQueueBacklog}, {@code EventSloFastBurn} and {@code OrdersStuck} for exactly that stage. Then the gateway
 * is fast again, orders keep coming, and every one of those alerts clears by itself; every order of the drill reaches
 * its final state, reconciled as the failure drills are (nothing lost, nothing charged or shipped twice).
 *
 * <p>The slowdown is a restart of payment-worker with the simulated gateway at 800 ms a call (under its breaker's 1 s
 * slow-call threshold, so the breaker stays closed: slow, not failing) and one consumer making its calls one after the
 * other (no calls ahead of a batch's handlers, which would make a batch's calls at once), about 1.2 events a second,
 * while the stream offers about three; the recovery is a restart with its usual settings. The pipeline's order-api
 * counts an order as stuck after 20 s ({@link Pipeline}), so {@code OrdersStuck} fires within minutes; every rule is
 * the shipped one, its {@code for} included.
 */
@ExtendWith(PipelineExtension.class)
@Timeout(value = 14, unit = TimeUnit.MINUTES)
class SlowConsumerDrillIntegrationTests {

    /** Scrape and rule evaluation interval of the drill's Prometheus. */
    private static final Duration INTERVAL = Duration.ofSeconds(3);

    /** payment-worker slowed: one consumer calling one order at a time, and a gateway that takes 800 ms a call. */
    private static final Map<String, String> SLOW_GATEWAY = Map.of(
            "ORDERLY_PAYMENT_SIMULATOR_LATENCY", "800ms",
            "ORDERLY_MESSAGING_LISTENER_CONCURRENCY", "1",
            "ORDERLY_MESSAGING_LISTENER_CALLS_AHEAD", "0");

    /**
     * Offered while payment-worker is slow: two and a half minutes at about twice what it handles. The alerts fire
     * about then; the backlog left keeps them true until payment-worker recovers.
     */
    private static final int SLOW_ORDERS = 450;

    private static final double SLOW_PER_SECOND = 3;

    /** Offered once it has recovered: on-time events that outweigh the late ones in the SLO's 5-minute window. */
    private static final int RECOVERY_ORDERS = 320;

    private static final double RECOVERY_PER_SECOND = 8;

    private static final Duration STREAM_DEADLINE = Duration.ofMinutes(5);

    /** The alerts the slow stage must raise, as {@link Prometheus#alerts()} names them. */
    private static final List<String> DRILL_ALERTS = List.of(
            "WorkQueueBacklog{consumer=payment}",
            "EventSloFastBurn{consumer=payment,event_type=inventory.reserved}",
            "OrdersStuck{status=RESERVED}");

    /**
     * From the slowdown: the orders wait longer than 20 s within a minute, and each alert then waits out its own
     * {@code for} (2 minutes for the backlog and the stuck orders) and a few evaluations.
     */
    private static final Duration FIRING_DEADLINE = Duration.ofMinutes(6);

    private static final Duration CLEARING_DEADLINE = Duration.ofMinutes(4);

    private final Pipeline pipeline;
    private final Shop shop;
    private final Faults faults;
    private final Reconciliation reconciliation;
    private boolean slowed;

    SlowConsumerDrillIntegrationTests(Pipeline pipeline) {
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
        if (slowed) {
            recover("payment-recovered-after-failure");
        }
        faults.restore();
    }

    @Test
    void aSlowPaymentWorkerShowsOnTheConsoleAndFiresTheBacklogSloAndStuckAlertsWhichClearOnceItRecovers()
            throws IOException, InterruptedException {
        try (Prometheus prometheus = Prometheus.start(pipeline, "prometheus-slow-consumer", INTERVAL);
                Browser browser = Browser.open(pipeline).signIn(pipeline, AuthUser.OPERATOR)) {
            faults.stop("payment-worker");
            slowed = true;
            faults.up("payment-slowed", SLOW_GATEWAY);
            Instant slowedAt = Instant.now();
            Faults.ConsumerCounters before = faults.consumerCounters();
            OrderStream.Mix slowMix = OrderStream.Mix.create(shop, "slow-" + tag());
            Map<String, Long> firedAfter = new LinkedHashMap<>();
            OrderStream.Outcome slowOutcome;
            try (OrderStream stream = OrderStream.start(
                    pipeline.api(), pipeline::token, slowMix, SLOW_ORDERS, SLOW_PER_SECOND, STREAM_DEADLINE)) {
                await("the console showing payment.work's backlog at its consumer's pace, past the SLO")
                        .atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> browser.texts("#queues tr[data-queue='payment.work'] td.alert").stream()
                                .anyMatch(cell -> cell.matches("[\\d,]+ s")));
                await("the console listing orders stuck in RESERVED, each a link")
                        .atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> browser.texts("#stuck-orders li:has(a.stuck-order)").stream()
                                .anyMatch(order -> order.contains("RESERVED")));
                assertThat(browser.text("stuck")).contains("RESERVED");
                browser.screenshot("console-slow-consumer.png", "overview");

                await("the backlog, SLO-burn and stuck-orders alerts firing for payment")
                        .atMost(FIRING_DEADLINE)
                        .pollInterval(INTERVAL)
                        .until(() -> {
                            Map<String, String> alerts = prometheus.alerts();
                            DRILL_ALERTS.stream()
                                    .filter(alert -> "firing".equals(alerts.get(alert)))
                                    .forEach(alert -> firedAfter.putIfAbsent(alert, secondsSince(slowedAt)));
                            return firedAfter.size() == DRILL_ALERTS.size();
                        });
                slowOutcome = stream.awaitEnd();
            }

            recover("payment-recovered");
            Instant recoveredAt = Instant.now();
            OrderStream.Mix recoveryMix = OrderStream.Mix.create(shop, "fast-" + tag());
            Map<String, Long> clearedAfter = new LinkedHashMap<>();
            OrderStream.Outcome recoveryOutcome;
            try (OrderStream stream = OrderStream.start(
                    pipeline.api(),
                    pipeline::token,
                    recoveryMix,
                    RECOVERY_ORDERS,
                    RECOVERY_PER_SECOND,
                    STREAM_DEADLINE)) {
                await("every alert of the drill cleared")
                        .atMost(CLEARING_DEADLINE)
                        .pollInterval(INTERVAL)
                        .until(() -> {
                            Map<String, String> alerts = prometheus.alerts();
                            DRILL_ALERTS.stream()
                                    .filter(alert -> !alerts.containsKey(alert))
                                    .forEach(alert -> clearedAfter.putIfAbsent(alert, secondsSince(recoveredAt)));
                            return DRILL_ALERTS.stream().noneMatch(alerts::containsKey);
                        });
                recoveryOutcome = stream.awaitEnd();
            }
            await("the console showing payment.work drained and no order stuck")
                    .atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> browser.text("stuck").startsWith("none")
                            && browser.rows("#queues tr[data-queue='payment.work']").stream()
                                    .allMatch(row -> row.get(1).equals("0")));

            String notes = "payment-worker slowed (gateway 800 ms, one consumer); alerts fired after " + firedAfter
                    + " s of it; recovered, they cleared after " + clearedAfter + " s";
            reconciliation.reconcile(
                    "slow payment-worker",
                    slowOutcome,
                    slowedAt,
                    slowedAt,
                    notes,
                    () -> faults.consumerCounters().since(before));
            reconciliation.reconcile(
                    "after the slow payment-worker",
                    recoveryOutcome,
                    recoveredAt,
                    recoveredAt,
                    "",
                    () -> faults.consumerCounters().since(before));
        }
    }

    /** payment-worker stopped and started again with its usual settings (its gateway fast again). */
    private void recover(String label) {
        faults.stop("payment-worker");
        faults.up(label);
        slowed = false;
        faults.awaitAllReady();
    }

    private static long secondsSince(Instant start) {
        return Duration.between(start, Instant.now()).toSeconds();
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 4);
    }
}
