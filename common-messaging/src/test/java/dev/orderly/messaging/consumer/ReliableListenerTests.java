package dev.orderly.messaging.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.contracts.MessageHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

class ReliableListenerTests {

    @Test
    void copyKeepsBodyIdentityAndOwnHeadersButDropsTheBrokersAndTheOldAttempt() {
        MessageProperties props = new MessageProperties();
        props.setMessageId("e-1");
        props.setType("order.created");
        props.setContentType("application/json");
        props.setReceivedRoutingKey("order.work");
        props.setHeader(MessageHeaders.EVENT_VERSION, 1);
        props.setHeader(MessageHeaders.TRACEPARENT, "00-abc");
        props.setHeader(MessageHeaders.ATTEMPT, 2);
        props.setHeader(MessageHeaders.ORIGINAL_ROUTING_KEY, "order.created");
        props.setHeader("x-death", List.of(Map.of("count", 1L)));
        props.setHeader("x-delivery-count", 3);
        Message original = new Message(new byte[] {1, 2, 3}, props);

        Message copy = ReliableListener.copy(original, Map.of(MessageHeaders.ATTEMPT, 3));

        MessageProperties copied = copy.getMessageProperties();
        assertThat(copy.getBody()).containsExactly(1, 2, 3);
        assertThat(copied.getMessageId()).isEqualTo("e-1");
        assertThat(copied.getType()).isEqualTo("order.created");
        assertThat(copied.getDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
        assertThat(copied.getHeaders())
                .containsEntry(MessageHeaders.EVENT_VERSION, 1)
                .containsEntry(MessageHeaders.TRACEPARENT, "00-abc")
                .containsEntry(MessageHeaders.ATTEMPT, 3)
                .containsEntry(MessageHeaders.ORIGINAL_ROUTING_KEY, "order.created")
                .doesNotContainKeys("x-death", "x-delivery-count");
    }

    @Test
    void originalRoutingKeyIsTheReceivedOneOnTheFirstDelivery() {
        MessageProperties props = new MessageProperties();
        props.setReceivedRoutingKey("payment.authorized");

        assertThat(ReliableListener.originalRoutingKey(props)).isEqualTo("payment.authorized");
    }

    @Test
    void theCausesRetriesAreNoneWithoutHeadersReadFromThemAndNoneWhereUnreadable() {
        MessageProperties props = new MessageProperties();
        assertThat(ReliableListener.causeOf(props)).isEqualTo(Retries.NONE);
        props.setHeader(MessageHeaders.CAUSE_RETRIES, 2);
        assertThat(ReliableListener.causeOf(props)).isEqualTo(new Retries(2, false));
        props.setHeader(MessageHeaders.CAUSE_RETRIES, " 3 ");
        props.setHeader(MessageHeaders.CAUSE_REPLAYED, "true");
        assertThat(ReliableListener.causeOf(props)).isEqualTo(new Retries(3, true));
        props.setHeader(MessageHeaders.CAUSE_RETRIES, -5);
        props.setHeader(MessageHeaders.CAUSE_REPLAYED, "yes");
        assertThat(ReliableListener.causeOf(props)).isEqualTo(Retries.NONE);
        props.setHeader(MessageHeaders.CAUSE_RETRIES, "many");
        assertThat(ReliableListener.causeOf(props)).isEqualTo(Retries.NONE);
        props.setHeader(MessageHeaders.CAUSE_RETRIES, Long.MAX_VALUE);
        assertThat(ReliableListener.causeOf(props))
                .as("an absurd count is capped, never a failure")
                .isEqualTo(new Retries(Retries.MAX_COUNT, false));
        props.setHeader(MessageHeaders.CAUSE_RETRIES, "99999999999999999999");
        assertThat(ReliableListener.causeOf(props)).as("unreadable as a number").isEqualTo(Retries.NONE);
    }

    @Test
    void aStageTakesTheRetriesOfItsCauseAndOfItsOwnDelivery() {
        Retries cause = new Retries(2, false);
        InboundEvent<?> third = new InboundEvent<>(null, null, 3, false, cause);
        InboundEvent<?> replayed = new InboundEvent<>(null, null, 1, true, Retries.NONE);

        assertThat(third.retries()).isEqualTo(new Retries(2, false));
        assertThat(third.stage()).isEqualTo(new Retries(4, false));
        assertThat(replayed.retries()).isEqualTo(new Retries(0, true));
        assertThat(replayed.stage()).isEqualTo(new Retries(0, true));
        InboundEvent<?> capped = new InboundEvent<>(null, null, 5, false, new Retries(Retries.MAX_COUNT, false));
        assertThat(capped.stage())
                .as("a capped cause and its own retries add up to the cap, not past it")
                .isEqualTo(new Retries(Retries.MAX_COUNT, false));
    }

    @Test
    void attemptIsOneWithoutHeaderAndReadFromIt() {
        MessageProperties props = new MessageProperties();
        assertThat(ReliableListener.attemptOf(props)).isEqualTo(1);
        props.setHeader(MessageHeaders.ATTEMPT, 4);
        assertThat(ReliableListener.attemptOf(props)).isEqualTo(4);
        props.setHeader(MessageHeaders.ATTEMPT, "garbage");
        assertThat(ReliableListener.attemptOf(props)).isEqualTo(1);
    }
}
