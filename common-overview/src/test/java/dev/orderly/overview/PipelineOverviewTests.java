package dev.orderly.overview;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The snapshot built from what each service and the broker answer (their own formats, as they write them), and from
 * what they do not: a part that failed says why, and the others are there.
 */
class PipelineOverviewTests {

    private static final URI API = URI.create("http://127.0.0.1:8090");
    private static final URI RELAY = URI.create("http://127.0.0.1:8081/");
    private static final URI PAYMENT = URI.create("http://127.0.0.1:8182");

    private final PipelineOverview overview = new PipelineOverview(
            new PipelineOverview.Endpoints(
                    URI.create("http://127.0.0.1:8080"), API, RELAY, Map.of("payment", PAYMENT), "orderly"),
            new PipelineOverview.Slo(30.0, 0.95),
            Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void everyPartIsReadFromItsSource() {
        Map<String, Object> snapshot = overview.snapshot(new PipelineOverview.Calls() {
            @Override
            public PipelineOverview.Reply service(String service, URI uri) {
                return switch (uri.toString()) {
                    case "http://127.0.0.1:8090/actuator/prometheus" -> new PipelineOverview.Reply(200, """
                            orderly_orders_accepted_total{application="order-api"} 42.0
                            orderly_orders_stuck{status="PAID"} 2.0
                            orderly_orders_stuck{status="PENDING"} 0.0
                            orderly_orders_stuck_oldest_age_seconds 310.0
                            """);
                    case "http://127.0.0.1:8081/actuator/prometheus" -> new PipelineOverview.Reply(200, """
                            orderly_outbox_backlog{source="orders.outbox"} 3.0
                            orderly_outbox_oldest_age_seconds{source="orders.outbox"} 1.5
                            orderly_outbox_lease{source="orders.outbox"} 1.0
                            orderly_outbox_failing{source="orders.outbox"} 0.0
                            orderly_outbox_published_total{event_type="order.created",source="orders.outbox"} 40.0
                            orderly_outbox_published_total{event_type="inventory.reserved",source="orders.outbox"} 2.0
                            orderly_outbox_blocked 0.0
                            resilience4j_circuitbreaker_state{name="orders.outbox",state="closed"} 1.0
                            resilience4j_circuitbreaker_state{name="orders.outbox",state="open"} 0.0
                            """);
                    case "http://127.0.0.1:8182/actuator/prometheus" -> new PipelineOverview.Reply(200, """
                            orderly_consumer_messages_total{event_type="inventory.reserved",outcome="processed"} 40.0
                            orderly_consumer_messages_total{event_type="inventory.reserved",outcome="parked"} 1.0
                            orderly_event_age_seconds_bucket{event_type="inventory.reserved",le="1.0"} 20.0
                            orderly_event_age_seconds_bucket{event_type="inventory.reserved",le="30.0"} 30.0
                            orderly_event_age_seconds_count{event_type="inventory.reserved"} 40.0
                            orderly_event_age_seconds_bucket{event_type="order.cancelled",le="30.0"} 2.0
                            orderly_event_age_seconds_count{event_type="order.cancelled"} 2.0
                            """);
                    case "http://127.0.0.1:8080/orders/stuck?limit=10" -> new PipelineOverview.Reply(200, """
                            {"after_seconds":300.0,"orders":[{"order_id":"7d1e0c9e-1d4c-4a52-9a43-0f5b8f1f4a11",
                            "status":"PAID","customer_id":"shop","age_seconds":310.0}]}""");
                    case "http://127.0.0.1:8182/actuator/parkinglot/groups" -> new PipelineOverview.Reply(200, """
                            {"groups":[{"reason":"UNPARSEABLE","eventType":"inventory.reserved","count":1,
                            "oldest":"2026-12-03T09:00:00Z","newest":"2026-12-03T09:00:00Z"}]}""");
                    default -> throw new AssertionError("unexpected call of " + service + ": " + uri);
                };
            }

            @Override
            public PipelineOverview.Reply broker(String path) {
                assertThat(path)
                        .startsWith("queues/orderly?columns=name,messages_ready,messages_unacknowledged,consumers")
                        .endsWith("&msg_rates_age=60&msg_rates_incr=10");
                return new PipelineOverview.Reply(200, """
                        [{"name":"payment.work","messages_ready":7,"messages_unacknowledged":2,"consumers":4,
                          "message_stats":{"ack_details":{"rate":12.5,"avg_rate":9.5}}},
                         {"name":"order.work","messages_ready":0,"messages_unacknowledged":0,"consumers":4}]""");
            }
        });

        assertThat(snapshot).containsEntry("at", "2026-12-03T10:00:00Z");
        assertThat(part(snapshot, "orders"))
                .containsEntry("accepted", 42.0)
                .containsEntry("stuck", Map.of("PAID", 2.0, "PENDING", 0.0))
                .containsEntry("stuckOldestAgeSeconds", 310.0)
                .doesNotContainKey("error");
        assertThat(part(snapshot, "orders").get("stuckOrders"))
                .isEqualTo(List.of(Map.of(
                        "order_id", "7d1e0c9e-1d4c-4a52-9a43-0f5b8f1f4a11",
                        "status", "PAID",
                        "customer_id", "shop",
                        "age_seconds", 310.0)));
        Map<String, Object> outboxes = part(snapshot, "outboxes");
        assertThat(outboxes).containsEntry("breaker", "closed").containsEntry("blocked", false);
        assertThat(outboxes.get("tables"))
                .isEqualTo(List.of(Map.of(
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
                        42.0)));
        assertThat(part(snapshot, "queues").get("queues"))
                .isEqualTo(List.of(
                        Map.of(
                                "name",
                                "order.work",
                                "ready",
                                0L,
                                "unacked",
                                0L,
                                "consumers",
                                4L,
                                "ackRate",
                                0.0,
                                "ackRateMinute",
                                0.0),
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
                                12.5,
                                "ackRateMinute",
                                9.5)));
        @SuppressWarnings("unchecked")
        Map<String, Object> payment = ((List<Map<String, Object>>) snapshot.get("workers")).getFirst();
        assertThat(payment)
                .containsEntry("worker", "payment")
                .containsEntry("messages", Map.of("parked", 1.0, "processed", 40.0))
                .containsEntry("parked", 1L);
        assertThat(payment.get("slo"))
                .as("one stage per event type the worker handled, its events within 30 s of all")
                .isEqualTo(List.of(
                        Map.of("consumer", "payment", "eventType", "inventory.reserved", "within", 30.0, "total", 40.0),
                        Map.of("consumer", "payment", "eventType", "order.cancelled", "within", 2.0, "total", 2.0)));
        assertThat(part(snapshot, "slo"))
                .containsEntry("within", 32.0)
                .containsEntry("total", 42.0)
                .containsEntry(
                        "worst",
                        Map.of(
                                "consumer",
                                "payment",
                                "eventType",
                                "inventory.reserved",
                                "within",
                                30.0,
                                "total",
                                40.0));
    }

    @Test
    void aPartWhoseSourceDidNotAnswerOrRefusedSaysWhyAndTheOthersAreThere() {
        Map<String, Object> snapshot = overview.snapshot(new PipelineOverview.Calls() {
            @Override
            public PipelineOverview.Reply service(String service, URI uri) {
                if (service.equals("outbox-relay")) {
                    return PipelineOverview.Reply.noAnswer("outbox-relay did not answer at http://127.0.0.1:8081");
                }
                if (uri.getPath().startsWith("/actuator/parkinglot")) {
                    return new PipelineOverview.Reply(
                            403, "{\"status\":403,\"detail\":\"This needs scope parkinglot:read.\"}");
                }
                return new PipelineOverview.Reply(200, "orderly_orders_accepted_total 1.0\n");
            }

            @Override
            public PipelineOverview.Reply broker(String path) {
                return new PipelineOverview.Reply(401, "Not authorised");
            }
        });

        assertThat(part(snapshot, "outboxes"))
                .containsEntry(
                        "error", "outbox-relay answered 502: outbox-relay did not answer at http://127.0.0.1:8081");
        assertThat(part(snapshot, "queues")).containsEntry("error", "rabbitmq answered 401: Not authorised");
        assertThat(part(snapshot, "orders")).containsEntry("accepted", 1.0);
        @SuppressWarnings("unchecked")
        Map<String, Object> payment = ((List<Map<String, Object>>) snapshot.get("workers")).getFirst();
        assertThat(payment).containsEntry("parkedError", "403 This needs scope parkinglot:read.");
    }

    @Test
    void aSourceThatDoesNotAnswerHoldsUpNoOtherPart() {
        CountDownLatch brokerAsked = new CountDownLatch(1);
        Map<String, Object> snapshot = overview.snapshot(new PipelineOverview.Calls() {
            @Override
            public PipelineOverview.Reply service(String service, URI uri) {
                if (!service.equals("outbox-relay")) {
                    return PipelineOverview.Reply.noAnswer(service + " is down");
                }
                // The relay answers only once the broker has been asked as well: were the parts read one after the
                // other, the outboxes (read before the queues) would wait for it in vain.
                try {
                    return brokerAsked.await(10, TimeUnit.SECONDS)
                            ? new PipelineOverview.Reply(200, "orderly_outbox_backlog{source=\"orders.outbox\"} 3.0\n")
                            : PipelineOverview.Reply.noAnswer("the broker was not asked while the relay was");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return PipelineOverview.Reply.noAnswer("interrupted");
                }
            }

            @Override
            public PipelineOverview.Reply broker(String path) {
                brokerAsked.countDown();
                return new PipelineOverview.Reply(200, "[]");
            }
        });

        assertThat(part(snapshot, "outboxes")).doesNotContainKey("error").containsKey("tables");
        assertThat(part(snapshot, "queues")).containsEntry("queues", List.of());
        assertThat(part(snapshot, "orders")).containsEntry("error", "order-api answered 502: order-api is down");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> part(Map<String, Object> snapshot, String name) {
        return (Map<String, Object>) snapshot.get(name);
    }
}
