package dev.orderly.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code ./orderly top} draws from two snapshots of the overview, two seconds apart. */
class TopCommandTests {

    private static Map<String, Object> snapshot(String at, double accepted, double completed, double processed) {
        return Map.of(
                "at", at,
                "orders",
                        Map.of(
                                "accepted",
                                accepted,
                                "stuck",
                                Map.of("PAID", 1.0, "PENDING", 0.0),
                                "stuckOldestAgeSeconds",
                                320.0),
                "outboxes",
                        Map.of(
                                "tables",
                                List.of(Map.of(
                                        "table",
                                        "orders.outbox",
                                        "backlog",
                                        3.0,
                                        "oldestAgeSeconds",
                                        1.5,
                                        "leader",
                                        true,
                                        "failing",
                                        false,
                                        "published",
                                        accepted)),
                                "breaker",
                                "closed",
                                "blocked",
                                false),
                "queues",
                        Map.of(
                                "queues",
                                List.of(
                                        Map.of(
                                                "name",
                                                "payment.work",
                                                "ready",
                                                7L,
                                                "unacked",
                                                2L,
                                                "consumers",
                                                4L,
                                                "ackRate",
                                                1.5),
                                        Map.of(
                                                "name",
                                                "payment.retry.1s",
                                                "ready",
                                                0L,
                                                "unacked",
                                                0L,
                                                "consumers",
                                                0L,
                                                "ackRate",
                                                0.0))),
                "workers",
                        List.of(
                                Map.of(
                                        "worker",
                                        "order",
                                        "messages",
                                        Map.of("processed", processed, "retried", 0.0, "parked", 0.0),
                                        "completed",
                                        completed,
                                        "parked",
                                        0L,
                                        "groups",
                                        List.of()),
                                Map.of(
                                        "worker", "payment",
                                        "error", "payment-worker answered 502: payment-worker did not answer")),
                "slo",
                        Map.of(
                                "source", "orderly_event_age_seconds of every worker",
                                "thresholdSeconds", 30.0,
                                "target", 0.95,
                                "within", 90.0,
                                "total", 100.0,
                                "worst",
                                        Map.of(
                                                "consumer",
                                                "order",
                                                "eventType",
                                                "order.created",
                                                "within",
                                                40.0,
                                                "total",
                                                50.0)));
    }

    @Test
    void theSecondScreenHasRatesAndEveryPartIsThereOrSaysWhyNot() {
        Map<String, Object> before = snapshot("2026-12-03T10:00:00Z", 40, 30, 100);
        Map<String, Object> now = snapshot("2026-12-03T10:00:02Z", 44, 32, 110);

        String screen = String.join("\n", TopCommand.render(now, before, 2.0));

        assertThat(screen)
                .contains("2026-12-03 10:00:02 UTC")
                .contains("accepted 44 (2.0/s)")
                .contains("completed 32 (1.0/s)")
                .contains("stuck 1 PAID (oldest 320.0 s)")
                .contains("events within 30.0 s: 90.00 % (target 95 %), error budget left 0 %   ! BELOW THE TARGET")
                .contains("worst: order order.created 80.00 %   ! BELOW THE TARGET")
                .containsPattern("orders\\.outbox\\s+3\\s+1\\.5\\s+2\\.0\\s+held\\s+no")
                .containsPattern("payment\\.work\\s+7\\s+2\\s+4\\s+1\\.5")
                .doesNotContain("payment.retry.1s")
                .containsPattern("order-worker\\s+5\\.0")
                .contains("! payment-worker: payment-worker answered 502: payment-worker did not answer")
                .contains("Parked     nothing");
    }

    @Test
    void theFirstScreenHasNoRatesYet() {
        String screen = String.join("\n", TopCommand.render(snapshot("2026-12-03T10:00:00Z", 40, 30, 100), null, 0));

        assertThat(screen).contains("accepted 40   completed 30   stuck");
    }
}
