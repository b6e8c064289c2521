package dev.orderly.overview;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text exposition as Micrometer's Prometheus registry writes it, read back sample by sample. */
class PrometheusTextTests {

    private static final String EXPOSITION = """
            # HELP orderly_outbox_backlog Rows not yet published
            # TYPE orderly_outbox_backlog gauge
            orderly_outbox_backlog{application="outbox-relay",source="orders.outbox"} 12.0
            orderly_outbox_backlog{application="outbox-relay",source="payments.outbox"} 0.0
            orderly_consumer_messages_total{consumer="payment",event_type="inventory.reserved",outcome="processed"} 1523.0
            orderly_consumer_messages_total{consumer="payment",event_type="inventory.reserved",outcome="parked"} 2.0
            orderly_event_age_seconds_bucket{event_type="order.created",le="30.0"} 40.0
            orderly_event_age_seconds_bucket{event_type="order.created",le="+Inf"} 41.0
            weird_label{detail="a \\"quoted\\" \\\\ value, with } and ,"} 1.0
            process_uptime_seconds 3.5
            not a sample line
            broken{unterminated="x 1.0
            """;

    private final PrometheusText metrics = PrometheusText.parse(EXPOSITION);

    @Test
    void samplesAreReadWithTheirLabelsAndSummedByAFilter() {
        assertThat(metrics.samples("orderly_outbox_backlog"))
                .extracting(PrometheusText.Sample::labels, PrometheusText.Sample::value)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                Map.of("application", "outbox-relay", "source", "orders.outbox"), 12.0),
                        org.assertj.core.groups.Tuple.tuple(
                                Map.of("application", "outbox-relay", "source", "payments.outbox"), 0.0));
        assertThat(metrics.sum("orderly_consumer_messages_total")).isEqualTo(1525.0);
        assertThat(metrics.sum("orderly_consumer_messages_total", labels -> "parked".equals(labels.get("outcome"))))
                .isEqualTo(2.0);
        assertThat(metrics.sum("orderly_event_age_seconds_bucket", labels -> "+Inf".equals(labels.get("le"))))
                .isEqualTo(41.0);
        assertThat(metrics.sum("process_uptime_seconds")).isEqualTo(3.5);
    }

    @Test
    void escapedLabelValuesAreUnescapedAndLinesThatCannotBeReadAreSkipped() {
        assertThat(metrics.samples("weird_label"))
                .singleElement()
                .satisfies(sample ->
                        assertThat(sample.labels()).containsEntry("detail", "a \"quoted\" \\ value, with } and ,"));
        assertThat(metrics.samples("not")).isEmpty();
        assertThat(metrics.samples("broken")).isEmpty();
        assertThat(metrics.sum("absent_metric")).isZero();
    }
}
