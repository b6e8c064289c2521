package dev.orderly.worker.order;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
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
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * order-worker's drain rate of {@code order.created} through the real transaction path (validation, processed_events,
 * order lock, stock lock and reservation over 1,000 SKUs, status, timeline, outbox row, commit, ack). Not a test: run
 * by bench/workers.sh.
 */
@SpringBootTest(properties = {"spring.rabbitmq.listener.simple.auto-startup=false", "logging.level.dev.orderly=WARN"})
@RealInfrastructure
@Import(OrdersSchema.class)
class OrderWorkerBenchmark {

    private static final int SKUS = 1_000;

    private final EventCodec codec = new EventCodec();

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

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
        jdbc.sql("INSERT INTO inventory (sku, on_hand) SELECT 'BENCH-' || i, 1000000000 FROM generate_series(1, ?) i "
                        + "ON CONFLICT (sku) DO UPDATE SET on_hand = 1000000000, reserved = 0")
                .param(SKUS)
                .update();
        WorkerDrain drain = new WorkerDrain(
                rabbit,
                container,
                meters,
                Topology.ORDER,
                EventTypes.ORDER_CREATED,
                Topology.workQueue(Topology.ORDER));
        int warmUp = Math.min(messages, 5_000);
        List<Message> warm = orders(warmUp);
        drain.run(20, warmUp, warm::get); // warm-up, not reported
        List<Message> first = orders(messages);
        WorkerDrain.Result at20 = drain.run(20, messages, first::get);
        List<Message> second = orders(messages);
        WorkerDrain.Result at100 = drain.run(100, messages, second::get);
        drain.report("order-worker", concurrency, List.of(at20, at100));
    }

    /** {@code count} PENDING orders of one line each, over {@value #SKUS} SKUs, stored, with their order.created. */
    private List<Message> orders(int count) {
        List<UUID> ids = jdbc.sql("INSERT INTO orders (id, customer_id, currency, total_cents, status, created_at, "
                        + "updated_at) SELECT gen_random_uuid(), 'bench', 'EUR', 100, 'PENDING', now(), now() "
                        + "FROM generate_series(1, ?) RETURNING id")
                .param(count)
                .query(UUID.class)
                .list();
        String[] skus = new String[count];
        for (int i = 0; i < count; i++) {
            skus[i] = "BENCH-" + (1 + (i % SKUS));
        }
        jdbc.sql("INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_cents) "
                        + "SELECT id, 1, sku, 1, 100 FROM unnest(CAST(? AS uuid[]), CAST(? AS text[])) AS l (id, sku)")
                .params(ids.toArray(UUID[]::new), skus)
                .update();
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> message(ids.get(i), skus[i]))
                .toList();
    }

    private Message message(UUID orderId, String sku) {
        Envelope<OrderCreated> envelope = Envelope.of(
                new OrderCreated(orderId, "bench", "EUR", 100, List.of(new OrderLine(sku, 1, 100))),
                "order-api",
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
