package dev.orderly.messaging.outbox;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.Json;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.messaging.consumer.DeferredInserts;
import dev.orderly.messaging.consumer.InboundEvent;
import dev.orderly.messaging.consumer.Retries;
import dev.orderly.messaging.signing.MessageSigner;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Appends events to a service's outbox table, in the caller's database transaction.
 *
 * <p>A service never publishes to the broker from a request or a handler: it records the event here, in the same
 * transaction as the state change that caused it, and the outbox relay publishes the row after that transaction
 * commits. So the change and its event are stored together or not at all.
 *
 * <p>Invariant: {@link #append} refuses to run outside an active transaction, because a row written on its own
 * would reach the broker even if the change it announces were rolled back.
 *
 * <p>Each row holds the whole envelope (exactly the bytes consumers will receive), the routing key (the event
 * type), the aggregate it belongs to, and the AMQP headers the relay sets: {@code event_version}, the producer, the
 * signature over those bytes and fields with the key id ({@link MessageSigner}) and, when the change was caused by a
 * traced request, its {@code traceparent}. The row is signed here, before it is stored, so neither the outbox table nor
 * the relay can alter an event without its consumers noticing. Once the transaction has committed, the
 * {@link OutboxNotifier} (if any) wakes the relay. Inside a batch of deliveries the row is written with the batch's
 * others, in one statement before the batch commits ({@link DeferredInserts}).
 */
public final class OutboxWriter {

    private final JdbcClient jdbc;
    private final EventCodec codec;
    private final JsonMapper json;
    private final DeferredInserts.Statement insert;
    private final OutboxTable table;
    private final MessageSigner signer;
    private final @Nullable OutboxNotifier notifier;

    /**
     * @param signer signs each row's body and fields
     * @param notifier wakes the relay after each commit that wrote rows; without one, the relay finds the rows on
     *     its next poll
     */
    public OutboxWriter(
            JdbcClient jdbc,
            EventCodec codec,
            OutboxTable table,
            MessageSigner signer,
            @Nullable OutboxNotifier notifier) {
        this.jdbc = jdbc;
        this.codec = codec;
        this.json = Json.mapper();
        this.table = table;
        this.signer = signer;
        this.notifier = notifier;
        this.insert = new DeferredInserts.Statement(
                "INSERT INTO %s (event_id, event_type, routing_key, aggregate_id, payload, headers) VALUES"
                        .formatted(table.qualifiedName()),
                "(?, ?, ?, ?, CAST(? AS json), CAST(? AS jsonb))",
                "");
    }

    /**
     * Records {@code envelope} for publishing once the current transaction commits.
     *
     * @param envelope the event, serialised here exactly as it will go on the wire
     * @param aggregateId the entity the event is about (the order id), which keeps per-aggregate order visible
     * @param traceparent the W3C trace context of the request or message that caused the event, if any
     * @throws IllegalStateException if no transaction is active
     */
    public void append(Envelope<?> envelope, String aggregateId, @Nullable String traceparent) {
        append(envelope, aggregateId, traceparent, Retries.NONE);
    }

    /**
     * Records {@code envelope}, which a handler wrote for {@code cause}, for publishing once the current transaction
     * commits: with the cause's {@code traceparent}, and what its delivery took ({@link MessageHeaders#CAUSE_RETRIES},
     * {@link MessageHeaders#CAUSE_REPLAYED}) so that the stage's retries can be shown where the event is handled.
     *
     * @throws IllegalStateException if no transaction is active
     */
    public void appendCausedBy(Envelope<?> envelope, String aggregateId, InboundEvent<?> cause) {
        append(envelope, aggregateId, cause.traceparent(), cause.retries());
    }

    private void append(Envelope<?> envelope, String aggregateId, @Nullable String traceparent, Retries cause) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException(("Refusing to write %s event %s to the outbox outside a transaction: "
                            + "the row must commit or roll back with the change it announces")
                    .formatted(envelope.eventType(), envelope.eventId()));
        }
        String payload = codec.toJsonString(envelope);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(MessageHeaders.EVENT_VERSION, envelope.eventVersion());
        // The relay publishes payload::text as UTF-8: a json column keeps the text exactly, so these are the bytes
        // consumers receive and verify.
        headers.putAll(signer.headers(envelope, payload.getBytes(StandardCharsets.UTF_8)));
        if (traceparent != null) {
            headers.put(MessageHeaders.TRACEPARENT, traceparent);
        }
        if (cause.count() > 0) {
            headers.put(MessageHeaders.CAUSE_RETRIES, cause.count());
        }
        if (cause.replayed()) {
            headers.put(MessageHeaders.CAUSE_REPLAYED, "true");
        }
        // At once; inside a batch of deliveries, with the batch's other rows before it commits.
        DeferredInserts.insert(
                jdbc,
                insert,
                envelope.eventId(),
                envelope.eventType(),
                envelope.eventType(),
                aggregateId,
                payload,
                json.writeValueAsString(headers));
        if (notifier != null) {
            // Registered once per transaction: synchronizations are kept in a set.
            TransactionSynchronizationManager.registerSynchronization(new NotifyAfterCommit(notifier, table));
        }
    }

    private record NotifyAfterCommit(OutboxNotifier notifier, OutboxTable table) implements TransactionSynchronization {

        @Override
        public void afterCommit() {
            notifier.committed(table);
        }
    }
}
