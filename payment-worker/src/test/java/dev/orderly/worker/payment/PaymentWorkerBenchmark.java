package dev.orderly.worker.payment;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.InventoryReserved;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.ReservedLine;
import dev.orderly.contracts.Topology;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestMessageKeys;
import dev.orderly.testsupport.WorkerDrain;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * payment-worker's drain rate through the real transaction path (validation, processed_events, gateway ledger in its
 * own transaction, payments row, outbox row, commit, ack), simulator latency 0. Not a test: run by bench/workers.sh.
 */
@SpringBootTest(
        properties = {
            "spring.rabbitmq.listener.simple.auto-startup=false",
            "orderly.payment.simulator.latency=0ms",
            "logging.level.dev.orderly=WARN"
        })
@RealInfrastructure
class PaymentWorkerBenchmark {

    private final EventCodec codec = new EventCodec();

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    @Qualifier("orderlyWorkQueueContainer")
    SimpleMessageListenerContainer container;

    @Autowired
    MeterRegistry meters;

    @Value("${orderly.messaging.listener.concurrency}")
    int concurrency;

    @Test
    void drainRate() {
        int messages = Integer.getInteger("bench.messages", 20_000);
        WorkerDrain drain = new WorkerDrain(
                rabbit,
                container,
                meters,
                Topology.PAYMENT,
                EventTypes.INVENTORY_RESERVED,
                Topology.workQueue(Topology.PAYMENT));
        drain.run(20, Math.min(messages, 5_000), i -> message()); // warm-up, not reported
        drain.report(
                "payment-worker",
                concurrency,
                List.of(drain.run(20, messages, i -> message()), drain.run(100, messages, i -> message())));
    }

    private Message message() {
        UUID orderId = UUID.randomUUID();
        Envelope<InventoryReserved> envelope = Envelope.of(
                new InventoryReserved(orderId, "bench", "EUR", 100, List.of(new ReservedLine("BENCH-1", 1))),
                "order-worker",
                orderId.toString(),
                Clock.systemUTC());
        MessageProperties props = new MessageProperties();
        props.setMessageId(envelope.eventId().toString());
        props.setType(envelope.eventType());
        props.setContentType(MessageHeaders.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setHeader(MessageHeaders.EVENT_VERSION, 1);
        return TestMessageKeys.sign(new Message(codec.toJson(envelope), props));
    }
}
