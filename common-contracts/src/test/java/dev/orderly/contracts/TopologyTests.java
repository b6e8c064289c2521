package dev.orderly.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopologyTests {

    @Test
    void workQueueIsTheDomainDotWork() {
        assertThat(Topology.workQueue(Topology.ORDER)).isEqualTo("order.work");
        assertThat(Topology.workQueue(Topology.PAYMENT)).isEqualTo("payment.work");
        assertThat(Topology.workQueue(Topology.SHIPPING)).isEqualTo("shipping.work");
    }

    @Test
    void everyEventTypeOfTheCatalogueIsRoutedToTheDomainsThatConsumeIt() {
        assertThat(Topology.SUBSCRIPTIONS.keySet())
                .containsExactlyInAnyOrderElementsOf(SchemaCatalog.load().eventTypes());
        assertThat(Topology.workQueuesFor(EventTypes.PAYMENT_AUTHORIZED))
                .containsExactly("order.work", "shipping.work");
        assertThat(Topology.subscriptionsOf(Topology.PAYMENT)).containsExactly(EventTypes.INVENTORY_RESERVED);
        assertThat(Topology.subscriptionsOf(Topology.SHIPPING)).containsExactly(EventTypes.PAYMENT_AUTHORIZED);
        assertThat(Topology.subscriptionsOf("probe")).isEmpty();
        assertThat(Topology.workQueuesFor("test.event")).isEmpty();
    }

    @Test
    void parkingLotIsTheDomainDotParkingLot() {
        assertThat(Topology.parkingLot(Topology.SHIPPING)).isEqualTo("shipping.parking-lot");
    }

    @Test
    void retryQueueRendersTheDelayInItsLargestWholeUnit() {
        assertThat(Topology.retryQueue("payment", Duration.ofSeconds(1))).isEqualTo("payment.retry.1s");
        assertThat(Topology.retryQueue("payment", Duration.ofSeconds(10))).isEqualTo("payment.retry.10s");
        assertThat(Topology.retryQueue("payment", Duration.ofSeconds(60))).isEqualTo("payment.retry.1m");
        assertThat(Topology.retryQueue("payment", Duration.ofSeconds(90))).isEqualTo("payment.retry.90s");
        assertThat(Topology.retryQueue("payment", Duration.ofMinutes(5))).isEqualTo("payment.retry.5m");
        assertThat(Topology.retryQueue("payment", Duration.ofHours(1))).isEqualTo("payment.retry.1h");
        assertThat(Topology.retryQueue("payment", Duration.ofDays(1))).isEqualTo("payment.retry.24h");
    }

    @Test
    void subSecondDelaysRenderInMilliseconds() {
        assertThat(Topology.retryQueue("order", Duration.ofMillis(200))).isEqualTo("order.retry.200ms");
        assertThat(Topology.retryQueue("order", Duration.ofMillis(1_500))).isEqualTo("order.retry.1500ms");
    }

    @Test
    void delaysTheBrokerCannotExpressAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Topology.retryQueue("order", Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(() -> Topology.retryQueue("order", Duration.ofSeconds(-1)));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Topology.retryQueue("order", Duration.ofNanos(1_500_000)))
                .withMessageContaining("milliseconds");
    }

    @Test
    void domainsThatWouldBreakQueueNamesAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Topology.workQueue(""));
        assertThatIllegalArgumentException().isThrownBy(() -> Topology.workQueue("Order"));
        assertThatIllegalArgumentException().isThrownBy(() -> Topology.parkingLot("order.work"));
    }

    @Test
    void exchangeAndQueueNamesAreTheDocumentedOnes() {
        assertThat(Topology.EVENTS_EXCHANGE).isEqualTo("orders.events");
        assertThat(Topology.UNROUTED_EXCHANGE).isEqualTo("orders.unrouted");
        assertThat(Topology.UNROUTED_QUEUE).isEqualTo("orders.unrouted");
        assertThat(Topology.DEAD_LETTER_EXCHANGE).isEqualTo("orders.dlx");
        assertThat(Topology.DOMAINS).containsExactly("order", "payment", "shipping");
    }
}
