package dev.orderly.relay.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.messaging.signing.MessageKeys;
import dev.orderly.messaging.signing.MessageSigner;
import dev.orderly.messaging.topology.EventsExchange;
import dev.orderly.testsupport.TestMessageKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The relay benchmark's client side (bench/relay.sh runs it against a running relay): not a test, prints figures.
 *
 * <ul>
 *   <li>{@code drain ROWS [consumed]}: commits ROWS outbox rows of about 1 KiB in one transaction and times how long
 *       the relay takes to publish (confirmed and marked) and a consumer to receive them all, through a quorum queue.
 *       With {@code consumed}, for a publisher that marks nothing (a change-data-capture peer such as Debezium Server),
 *       it waits for the consumer alone.
 *   <li>{@code latency RATE SECONDS WARMUP [SETTLE]}: writes rows at a fixed RATE per second, each in its own
 *       transaction through order-api's own {@link OutboxWriter} and {@link OutboxNotifier}, and records, per row, the
 *       time from its commit to a consumer receiving it (quorum queue, manual acks) in an HdrHistogram. The first
 *       WARMUP seconds are not measured; rows not received SETTLE seconds (default 30) after the last was written are
 *       counted missing. The consumer's connection recovers by itself if the broker restarts meanwhile.
 *   <li>{@code backlog-write ROWS} and {@code backlog-await ROWS}: a backlog of ROWS rows committed one transaction
 *       each while the publisher is down, then consumed once it is back: when the first message came after the
 *       consumer began (the publisher is started then) and the rate from the first message to the last.
 * </ul>
 *
 * Connection settings come from the environment of {@code ./orderly up} ({@code .orderly/env}).
 */
public final class RelayBenchmark {

    private static final OutboxTable OUTBOX = OutboxTable.parse("orders.outbox");

    /** How late a latency run's row may begin before it is given up (counted as unwritten). */
    private static final long MAX_LATENESS_NANOS = TimeUnit.SECONDS.toNanos(1);

    private RelayBenchmark() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "drain" -> drain(Integer.parseInt(args[1]), args.length > 2 && args[2].equals("consumed"));
            case "latency" ->
                latency(
                        Integer.parseInt(args[1]),
                        Integer.parseInt(args[2]),
                        Integer.parseInt(args[3]),
                        args.length > 4 ? Integer.parseInt(args[4]) : 30);
            case "backlog-write" -> backlogWrite(Integer.parseInt(args[1]));
            case "backlog-await" -> backlogAwait(Integer.parseInt(args[1]));
            default -> {
                System.err.println(
                        "usage: RelayBenchmark drain ROWS [consumed] | latency RATE SECONDS WARMUP [SETTLE] | "
                                + "backlog-write ROWS | backlog-await ROWS");
                System.exit(2);
            }
        }
    }

    static void drain(int rows, boolean consumedOnly) throws Exception {
        String routingKey = "bench.drain";
        try (HikariDataSource database = database(2);
                Connection broker = broker().newConnection("relay-bench-drain")) {
            AtomicLong received = new AtomicLong();
            AtomicLong lastReceived = new AtomicLong();
            Channel channel = consume(broker, "bench.relay.drain", routingKey, (id, at) -> {
                received.incrementAndGet();
                lastReceived.set(at);
            });
            JdbcClient jdbc = JdbcClient.create(database);
            long inserting = System.nanoTime();
            jdbc.sql("""
                            INSERT INTO orders.outbox (event_id, event_type, routing_key, aggregate_id, payload, headers)
                            SELECT gen_random_uuid(), ?, ?, 'aggregate-' || (g % 1000),
                                   json_build_object('event_type', 'bench.drain', 'seq', g, 'padding', repeat('x', 960)),
                                   '{"event_version": 1}'::jsonb
                            FROM generate_series(1, ?) AS g
                            """).params(List.of(routingKey, routingKey, rows)).update();
            long committed = System.nanoTime();
            jdbc.sql("SELECT pg_notify(?, ?)::text")
                    .params(List.of(OutboxNotifier.CHANNEL, OUTBOX.qualifiedName()))
                    .query(String.class)
                    .single();
            System.out.printf(
                    Locale.ROOT,
                    "  inserted %,d rows (about 1 KiB each) in one transaction in %.1f s%n",
                    rows,
                    seconds(committed - inserting));
            long published = 0;
            while (!consumedOnly) {
                long left = jdbc.sql("SELECT count(*) FROM orders.outbox WHERE published_at IS NULL")
                        .query(Long.class)
                        .single();
                if (left == 0) {
                    published = System.nanoTime();
                    break;
                }
                if (System.nanoTime() - committed > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException(left + " rows still unpublished after 10 minutes");
                }
                TimeUnit.MILLISECONDS.sleep(20); // polling the outcome, not synchronising threads
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(consumedOnly ? 10 : 2);
            while (received.get() < rows && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            if (consumedOnly) {
                // Nothing marks the rows: the last one received is as near to "published" as can be seen.
                published = lastReceived.get();
            }
            double publishSeconds = seconds(published - committed);
            double consumeSeconds = seconds(lastReceived.get() - committed);
            System.out.printf(
                    Locale.ROOT,
                    "RESULT drain_rows=%d published_s=%.2f published_rate=%.0f consumed=%d consumed_s=%.2f "
                            + "consumed_rate=%.0f%n",
                    rows,
                    publishSeconds,
                    rows / publishSeconds,
                    received.get(),
                    consumeSeconds,
                    received.get() / consumeSeconds);
            channel.close();
        }
    }

    /** The routing key and queue of the backlog step's rows. */
    private static final String BACKLOG_KEY = "bench.backlog";

    private static final String BACKLOG_QUEUE = "bench.relay.backlog";

    /**
     * Commits {@code rows} outbox rows of about 1 KiB, each in its own transaction, from 8 connections: the backlog of
     * many small transactions a publisher finds when it comes back (the bench stops it first). No notification: nothing
     * listens while it is down.
     */
    static void backlogWrite(int rows) throws Exception {
        int threads = 8;
        try (HikariDataSource database = database(threads)) {
            JdbcClient jdbc = JdbcClient.create(database);
            AtomicLong next = new AtomicLong();
            long began = System.nanoTime();
            Callable<Void> writer = () -> {
                for (long seq = next.getAndIncrement(); seq < rows; seq = next.getAndIncrement()) {
                    jdbc.sql("""
                                        INSERT INTO orders.outbox
                                          (event_id, event_type, routing_key, aggregate_id, payload, headers)
                                        VALUES (gen_random_uuid(), ?, ?, ?,
                                                json_build_object('event_type', 'bench.backlog', 'seq', ?::bigint,
                                                                  'padding', repeat('x', 960)),
                                                '{"event_version": 1}'::jsonb)
                                        """)
                            .params(List.of(BACKLOG_KEY, BACKLOG_KEY, "aggregate-" + (seq % 1000), seq))
                            .update();
                }
                return null;
            };
            ExecutorService writers = Executors.newFixedThreadPool(threads);
            try {
                for (Future<Void> written :
                        writers.invokeAll(Collections.nCopies(threads, writer), 10, TimeUnit.MINUTES)) {
                    written.get(); // a writer that failed, or was still writing after 10 minutes, ends the step
                }
            } finally {
                writers.shutdownNow();
            }
            double took = seconds(System.nanoTime() - began);
            System.out.printf(
                    Locale.ROOT, "RESULT backlog_rows=%d write_s=%.1f write_rate=%.0f%n", rows, took, rows / took);
        }
    }

    /**
     * Consumes the backlog step's queue (printing {@code CONSUMING} once it does, so that the bench starts the publisher
     * only then) until {@code rows} messages arrived or 10 minutes passed, and reports when the first came (the
     * publisher's start and first read) and the rate from the first to the last.
     */
    static void backlogAwait(int rows) throws Exception {
        try (Connection broker = broker().newConnection("relay-bench-backlog")) {
            AtomicLong received = new AtomicLong();
            AtomicLong firstReceived = new AtomicLong();
            AtomicLong lastReceived = new AtomicLong();
            Channel channel = consume(broker, BACKLOG_QUEUE, BACKLOG_KEY, (id, at) -> {
                if (received.getAndIncrement() == 0) {
                    firstReceived.set(at);
                }
                lastReceived.set(at);
            });
            long began = System.nanoTime();
            System.out.println("CONSUMING");
            System.out.flush();
            long deadline = began + TimeUnit.MINUTES.toNanos(10);
            while (received.get() < rows && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20); // polling the outcome, not synchronising threads
            }
            double flowing = seconds(lastReceived.get() - firstReceived.get());
            System.out.printf(
                    Locale.ROOT,
                    "RESULT backlog_rows=%d consumed=%d first_s=%.1f flowing_s=%.2f flowing_rate=%.0f%n",
                    rows,
                    received.get(),
                    received.get() == 0 ? -1 : seconds(firstReceived.get() - began),
                    flowing,
                    flowing > 0 ? received.get() / flowing : 0);
            channel.close();
        }
    }

    static void latency(int rate, int seconds, int warmupSeconds, int settleSeconds) throws Exception {
        String queue = "bench.relay.latency";
        Map<String, Long> committedAt = new ConcurrentHashMap<>();
        Map<String, Long> receivedAt = new ConcurrentHashMap<>();
        try (HikariDataSource database = database(8);
                Connection broker = broker().newConnection("relay-bench-latency");
                OutboxNotifier notifier = new OutboxNotifier(new JdbcTemplate(database))) {
            Channel channel = consume(broker, queue, "order.created", receivedAt::put);
            EventCodec codec = new EventCodec();
            OutboxWriter writer = new OutboxWriter(
                    JdbcClient.create(database),
                    codec,
                    OUTBOX,
                    new MessageSigner(MessageKeys.of(Map.of(TestMessageKeys.KEY_ID, TestMessageKeys.key()), null)),
                    notifier);
            TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(database));
            ExecutorService producers = Executors.newFixedThreadPool(8);
            ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
            long begin = System.nanoTime();
            long measureFrom = begin + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            AtomicLong sent = new AtomicLong();
            AtomicLong measuredSent = new AtomicLong();
            AtomicLong unwritten = new AtomicLong();
            pacer.scheduleAtFixedRate(
                    () -> {
                        long due = System.nanoTime();
                        if (due >= end) {
                            return;
                        }
                        // Measured: rows due in the measured period (not warm-up rows that were merely late).
                        boolean measured = due >= measureFrom;
                        producers.execute(() -> {
                            long now = System.nanoTime();
                            if (now >= end || now - due > MAX_LATENESS_NANOS) {
                                // The writer fell behind: a row not begun within the run is not written at all, or
                                // it would commit while the wait for the consumer below has already begun; nor is
                                // one a second overdue, or a writer short of the rate would spend the whole run on
                                // the warm-up's backlog and write no measured row at all. What it did write is
                                // measured from its own commit, so a late row does not change its latency.
                                unwritten.incrementAndGet();
                                return;
                            }
                            UUID orderId = UUID.randomUUID();
                            var envelope = dev.orderly.contracts.Envelope.of(
                                    new OrderCreated(
                                            orderId,
                                            "bench-customer",
                                            "EUR",
                                            2599,
                                            List.of(new OrderLine("SKU-1", 2, 1250), new OrderLine("SKU-2", 1, 99))),
                                    "order-api",
                                    orderId.toString(),
                                    Clock.systemUTC());
                            String eventId = envelope.eventId().toString();
                            transactions.executeWithoutResult(tx -> {
                                // Registered before the writer's own, so it runs first after the commit: the time
                                // is taken before the relay is even notified.
                                TransactionSynchronizationManager.registerSynchronization(
                                        new TransactionSynchronization() {
                                            @Override
                                            public void afterCommit() {
                                                if (measured) {
                                                    committedAt.put(eventId, System.nanoTime());
                                                    measuredSent.incrementAndGet();
                                                }
                                            }
                                        });
                                writer.append(envelope, orderId.toString(), null);
                            });
                            sent.incrementAndGet();
                        });
                    },
                    0,
                    1_000_000_000L / rate,
                    TimeUnit.NANOSECONDS);
            TimeUnit.NANOSECONDS.sleep(end - System.nanoTime()); // the length of the run, not a synchronisation
            pacer.shutdown();
            producers.shutdown();
            producers.awaitTermination(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settleSeconds);
            while (!receivedAt.keySet().containsAll(committedAt.keySet()) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            Histogram histogram = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
            long missing = 0;
            for (Map.Entry<String, Long> commit : committedAt.entrySet()) {
                Long received = receivedAt.get(commit.getKey());
                if (received == null) {
                    missing++;
                } else {
                    histogram.recordValue(Math.max(0, (received - commit.getValue()) / 1_000));
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "RESULT rate=%d achieved=%.0f unwritten=%d measured=%d missing=%d p50_ms=%.2f p95_ms=%.2f "
                            + "p99_ms=%.2f p999_ms=%.2f max_ms=%.2f%n",
                    rate,
                    measuredSent.get() / (double) seconds,
                    unwritten.get(),
                    histogram.getTotalCount(),
                    missing,
                    histogram.getValueAtPercentile(50) / 1000.0,
                    histogram.getValueAtPercentile(95) / 1000.0,
                    histogram.getValueAtPercentile(99) / 1000.0,
                    histogram.getValueAtPercentile(99.9) / 1000.0,
                    histogram.getMaxValue() / 1000.0);
            channel.close();
        }
    }

    /** Receives what a consumer of {@code queue} gets: the event's id and the time it arrived. */
    @FunctionalInterface
    interface Receiver {
        void received(String eventId, long nanoTime);
    }

    /** The envelope's {@code "event_id":"<uuid>"}, found in the body rather than a property (a peer may set none). */
    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\"\\s*:\\s*\"([0-9a-f-]{36})\"");

    /**
     * The event id in {@code body}, or null: read from the body, not the message id, so that the consumer does the
     * same work whichever publisher sent it (Debezium Server's RabbitMQ sink sets no message id).
     */
    static String eventId(byte[] body) {
        Matcher matcher = EVENT_ID.matcher(new String(body, StandardCharsets.UTF_8));
        return matcher.find() ? matcher.group(1) : null;
    }

    /** A quorum queue bound to orders.events, emptied, consumed with manual acks (as PerfTest's consumer does). */
    static Channel consume(Connection broker, String queue, String routingKey, Receiver receiver) throws IOException {
        Channel channel = broker.createChannel();
        // The same declarations as the relay's (it may not have connected yet), so neither side conflicts.
        for (Declarable declarable : EventsExchange.declarables().getDeclarables()) {
            if (declarable instanceof Exchange exchange) {
                channel.exchangeDeclare(
                        exchange.getName(), exchange.getType(), true, false, false, exchange.getArguments());
            } else if (declarable instanceof Queue declared) {
                channel.queueDeclare(declared.getName(), true, false, false, declared.getArguments());
            }
        }
        channel.queueBind(Topology.UNROUTED_QUEUE, Topology.UNROUTED_EXCHANGE, "");
        channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
        channel.queueBind(queue, Topology.EVENTS_EXCHANGE, routingKey);
        channel.queuePurge(queue);
        channel.basicQos(500);
        channel.basicConsume(queue, false, new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                    throws IOException {
                long at = System.nanoTime();
                String eventId = eventId(body);
                receiver.received(eventId == null ? "" : eventId, at);
                getChannel().basicAck(envelope.getDeliveryTag(), false);
            }
        });
        return channel;
    }

    static HikariDataSource database(int connections) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + env("ORDERLY_POSTGRES_PORT")
                + "/orderly?sslmode=verify-full&sslrootcert=" + ca().authority());
        config.setUsername("orderly_api");
        config.setPassword(env("ORDERLY_POSTGRES_API_PASSWORD"));
        config.setMaximumPoolSize(connections);
        config.setPoolName("relay-bench");
        return new HikariDataSource(config);
    }

    static ConnectionFactory broker() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(Integer.parseInt(env("ORDERLY_RABBITMQ_PORT")));
        factory.setVirtualHost("orderly");
        factory.setUsername("orderly-admin");
        factory.setPassword(env("ORDERLY_RABBITMQ_ADMIN_PASSWORD"));
        factory.useSslProtocol(ca().clientSslContext());
        factory.enableHostnameVerification();
        return factory;
    }

    /** The private CA ./orderly up made in the benchmark's state directory: the servers take TLS connections only. */
    static dev.orderly.testsupport.PrivateCa ca() {
        return dev.orderly.testsupport.PrivateCa.at(
                java.nio.file.Path.of(env("ORDERLY_STATE_DIR")).resolve("tls"));
    }

    static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run this through bench/relay.sh");
        }
        return value;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
