package dev.orderly.messaging.consumer;

import com.rabbitmq.client.Channel;
import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventData;
import dev.orderly.contracts.InvalidEventException;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.consumer.ConsumerMetrics.Outcome;
import dev.orderly.messaging.signing.SignatureVerifier;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one place that decides what happens to a delivery on a work queue: processed and acked, acked as a duplicate,
 * republished to a retry tier, or parked (docs/design.md#consuming-the-reliable-listener).
 *
 * <ol>
 *   <li>The signature is checked ({@link SignatureVerifier}) before anything reads the body: missing, of a key this
 *       consumer does not accept, or not matching the body and signed fields, the message is parked at once as
 *       {@link ParkingReason#SIGNATURE_INVALID}, counted, and never parsed. Retry and replay copies carry the
 *       producer's signature unchanged and are checked again like any delivery.
 *   <li>The body is parsed and validated; unparseable, schema-invalid, of an unknown type or version, or of a type
 *       this consumer has no handler for: parked at once, before any transaction.
 *   <li>One transaction inserts {@code (consumer, event_id)} into {@code processed_events}; if it was there the
 *       delivery is a duplicate and nothing else happens. Otherwise the handler applies the state change and writes
 *       the outbox rows of the next events. The ack follows the commit. The deliveries the container hands over
 *       together (a batch, {@code orderly.messaging.listener.batch-size}) share that transaction, commit and one ack;
 *       if it fails, each of them is applied again alone, so that one failing delivery ends as it would have alone and
 *       never takes its neighbours with it.
 *   <li>A failure classified transient ({@link FailureClassifier}) is republished, with publisher confirms, to the
 *       retry tier for its attempt with {@value MessageHeaders#ATTEMPT} = attempt + 1, then acked; a permanent one, or
 *       a transient one on the last allowed attempt, is republished to the parking lot with headers naming the
 *       reason, the exception, the attempts, the original routing key and the time, then acked.
 * </ol>
 *
 * <p>If a republish is not confirmed (nack, return, or no confirm within the deadline), the original is
 * <em>rejected with requeue</em> rather than acked: the message is never lost. That redelivery is immediate, but it is
 * bounded: the work queue's {@code x-delivery-limit} counts it, and past the limit the broker itself dead-letters the
 * message (at least once) to the parking lot. Leaving the delivery unacked until the channel closes was the
 * alternative; it holds a prefetch slot for an unbounded time and the broker would redeliver it all the same.
 *
 * <p>Invariant: every delivery ends in exactly one ack or one reject, and the ack of a delivery whose effect was
 * applied comes only after the commit (if the ack is lost, the redelivery is a counted duplicate). The listener never
 * throws to the container, which in manual-ack mode would leave the delivery unacknowledged and its slot taken.
 */
public final class ReliableListener implements ChannelAwareBatchMessageListener {

    private static final Logger log = LoggerFactory.getLogger(ReliableListener.class);

    static final String MDC_EVENT_ID = "event_id";
    static final String MDC_ORDER_ID = "order_id";
    static final String MDC_TRACE_ID = "trace_id";
    static final String UNKNOWN = "unknown";

    private static final int EXCEPTION_HEADER_LIMIT = 1000;
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");

    private final MessagingProperties properties;
    private final String consumer;
    private final EventCodec codec;
    private final EventHandlers handlers;
    private final ProcessedEvents processedEvents;
    private final TransactionTemplate transaction;
    private final Republisher republisher;
    private final FailureClassifier classifier;
    private final ConsumerMetrics metrics;
    private final Clock clock;
    private final Set<String> knownEventTypes;
    private final SignatureVerifier verifier;

    public ReliableListener(
            MessagingProperties properties,
            SignatureVerifier verifier,
            EventCodec codec,
            EventHandlers handlers,
            ProcessedEvents processedEvents,
            TransactionTemplate transaction,
            Republisher republisher,
            FailureClassifier classifier,
            ConsumerMetrics metrics,
            Clock clock) {
        this.properties = properties;
        this.consumer = properties.consumerName();
        this.verifier = verifier;
        this.codec = codec;
        this.handlers = handlers;
        this.processedEvents = processedEvents;
        this.transaction = transaction;
        this.republisher = republisher;
        this.classifier = classifier;
        this.metrics = metrics;
        this.clock = clock;
        this.knownEventTypes = codec.catalog().eventTypes();
    }

    /** One delivery: a batch of one. */
    @Override
    public void onMessage(Message message, Channel channel) {
        onMessageBatch(List.of(message), channel);
    }

    /**
     * The deliveries the container gathered (up to {@code orderly.messaging.listener.batch-size}, in delivery order):
     * those that cannot be applied are parked one by one first; the others are applied together in one transaction,
     * or alone when that transaction fails.
     */
    @Override
    public void onMessageBatch(List<Message> messages, Channel channel) {
        long started = System.nanoTime();
        try {
            List<Ready<?>> ready = new ArrayList<>(messages.size());
            for (Message message : messages) {
                Ready<?> delivery = prepare(message, channel, started);
                if (delivery != null) {
                    ready.add(delivery);
                }
            }
            if (ready.size() == 1) {
                alone(ready.get(0), channel);
            } else if (!ready.isEmpty()) {
                together(ready, channel, ready.size() == messages.size());
            }
        } finally {
            clearMdc();
        }
    }

    /**
     * Checks the signature, parses and finds the handler; a delivery that fails any of these is parked (or returned to
     * the queue if the parking lot does not confirm) and null returned.
     */
    private @Nullable Ready<?> prepare(Message message, Channel channel, long started) {
        MessageProperties props = message.getMessageProperties();
        String eventType = knownEventTypes.contains(props.getType()) ? props.getType() : UNKNOWN;
        int attempt = attemptOf(props);
        String traceparent = headerText(props, MessageHeaders.TRACEPARENT);
        clearMdc();
        putMdc(props.getMessageId(), null, traceparent);
        if (props.isRedelivered()) {
            metrics.redelivered();
        }
        Optional<SignatureVerifier.Rejection> rejection = verifier.check(props, message.getBody());
        if (rejection.isPresent()) {
            SignatureVerifier.Rejection rejected = rejection.get();
            if (park(
                    message,
                    channel,
                    eventType,
                    ParkingReason.SIGNATURE_INVALID,
                    new PermanentFailure(rejected.detail()),
                    attempt,
                    Map.of(MessageHeaders.SIGNATURE_FAILURE, rejected.failure().name()))) {
                metrics.signatureRejected(rejected.failure());
            }
            metrics.processing(eventType, System.nanoTime() - started);
            return null;
        }
        Envelope<?> envelope;
        try {
            envelope = codec.fromJson(message.getBody());
        } catch (InvalidEventException invalid) {
            eventType = invalid.eventType().filter(knownEventTypes::contains).orElse(UNKNOWN);
            park(message, channel, eventType, ParkingReason.of(invalid.problem()), invalid, attempt);
            metrics.processing(eventType, System.nanoTime() - started);
            return null;
        }
        Ready<?> ready = ready(envelope, message, traceparent, attempt, started);
        if (ready == null) {
            putMdc(envelope.eventId().toString(), envelope.correlationId(), traceparent);
            park(
                    message,
                    channel,
                    envelope.eventType(),
                    ParkingReason.UNHANDLED_EVENT_TYPE,
                    new PermanentFailure(
                            consumer + " has no handler for " + envelope.eventType() + " (it is not bound for it)"),
                    attempt);
            metrics.processing(envelope.eventType(), System.nanoTime() - started);
        }
        return ready;
    }

    private <D extends EventData> @Nullable Ready<D> ready(
            Envelope<D> envelope, Message message, @Nullable String traceparent, int attempt, long started) {
        return handlers.handlerFor(envelope.data())
                .map(handler -> new Ready<>(
                        message,
                        new InboundEvent<>(
                                envelope,
                                traceparent,
                                attempt,
                                message.getMessageProperties().getHeaders().containsKey(MessageHeaders.REPLAYED_AT),
                                causeOf(message.getMessageProperties())),
                        handler,
                        started))
                .orElse(null);
    }

    /** One delivery in a transaction of its own: applied and acked, a duplicate, or retried or parked. */
    private void alone(Ready<?> delivery, Channel channel) {
        delivery.putMdc();
        Outcome outcome;
        try {
            outcome = transaction.execute(status -> {
                if (!processedEvents.recordFirst(consumer, delivery.eventId())) {
                    return Outcome.DUPLICATE;
                }
                delivery.apply();
                return Outcome.PROCESSED;
            });
        } catch (RuntimeException failure) {
            fail(
                    delivery.message(),
                    channel,
                    delivery.eventType(),
                    failure,
                    delivery.event().attempt());
            metrics.processing(delivery.eventType(), System.nanoTime() - delivery.started());
            return;
        }
        ack(delivery.message(), channel, false);
        finished(delivery, outcome == null ? Outcome.PROCESSED : outcome);
    }

    /**
     * Two or more deliveries in one transaction: one insert records them all as processed (a duplicate of an earlier
     * event, or of one earlier in the batch, is acknowledged with no effect), the batch's locks are taken in one order
     * ({@link BatchPreparation}), each handler runs in delivery order, one commit, then the acks. If anything in it
     * fails, nothing of it is committed, and each delivery is applied again alone, so that each ends exactly as it
     * would have without the others: applied, a duplicate, retried or parked.
     *
     * @param wholeBatch whether these are all the deliveries the container handed over (none was parked or returned
     *     before), so that one ack with {@code multiple} covers them
     */
    private void together(List<Ready<?>> batch, Channel channel, boolean wholeBatch) {
        List<Outcome> outcomes;
        // The delivery whose handler was running, if a handler was running when the transaction failed.
        List<Ready<?>> applying = new ArrayList<>(1);
        clearMdc();
        try {
            outcomes = transaction.execute(status -> {
                Set<UUID> first = processedEvents.recordFirst(
                        consumer,
                        batch.stream().map(Ready::eventId).toList(),
                        properties.listener().batchLockTimeout());
                List<Outcome> each = new ArrayList<>(batch.size());
                List<Ready<?>> toApply = new ArrayList<>(batch.size());
                for (Ready<?> delivery : batch) {
                    // remove: an id that is twice in the batch is applied the first time only.
                    boolean applies = first.remove(delivery.eventId());
                    each.add(applies ? Outcome.PROCESSED : Outcome.DUPLICATE);
                    if (applies) {
                        toApply.add(delivery);
                    }
                }
                if (toApply.size() > 1) {
                    handlers.prepareBatch(
                            toApply.stream().<InboundEvent<?>>map(Ready::event).toList());
                }
                // The handlers' outbox rows and timeline entries, one multi-row insert each for the whole batch.
                try (DeferredInserts.Scope inserts = DeferredInserts.open()) {
                    for (Ready<?> delivery : toApply) {
                        applying.clear();
                        applying.add(delivery);
                        delivery.putMdc();
                        delivery.apply();
                    }
                    applying.clear();
                    inserts.writeAll();
                }
                return each;
            });
        } catch (RuntimeException failure) {
            metrics.batchFellBack();
            String where = applying.isEmpty()
                    ? "before or after its handlers"
                    : "at " + applying.get(0).eventType() + " "
                            + applying.get(0).eventId();
            clearMdc();
            if (!channel.isOpen()) {
                // Nothing can be acknowledged on this channel any more: the broker returns every delivery of the batch
                // to the queue, and they come back (to a live channel) to be applied there.
                log.warn(
                        "A batch of {} deliveries failed {} and its channel is closed ({}); the broker redelivers them",
                        batch.size(),
                        where,
                        describe(failure));
                return;
            }
            log.info(
                    "A batch of {} deliveries failed {} ({}); applying each in a transaction of its own",
                    batch.size(),
                    where,
                    describe(failure));
            for (Ready<?> delivery : batch) {
                alone(delivery, channel);
            }
            return;
        }
        metrics.batch(batch.size());
        if (wholeBatch) {
            // Every earlier delivery of this channel has had its ack or reject (each batch settles all of its own
            // before
            // the container hands over the next), so one ack with multiple=true settles exactly this batch.
            ack(batch.get(batch.size() - 1).message(), channel, true);
        } else {
            batch.forEach(delivery -> ack(delivery.message(), channel, false));
        }
        for (int i = 0; i < batch.size(); i++) {
            Ready<?> delivery = batch.get(i);
            delivery.putMdc();
            finished(delivery, outcomes == null ? Outcome.PROCESSED : outcomes.get(i));
        }
    }

    private void finished(Ready<?> delivery, Outcome outcome) {
        Envelope<?> envelope = delivery.event().envelope();
        if (outcome == Outcome.DUPLICATE) {
            log.info(
                    "{} {} was already processed by {}: acknowledged with no effect",
                    envelope.eventType(),
                    envelope.eventId(),
                    consumer);
        } else {
            metrics.eventAge(envelope.eventType(), Duration.between(envelope.occurredAt(), clock.instant()));
            log.debug("Processed {} {}", envelope.eventType(), envelope.eventId());
        }
        metrics.outcome(envelope.eventType(), outcome);
        metrics.processing(envelope.eventType(), System.nanoTime() - delivery.started());
    }

    /** A delivery that passed the checks, with its handler, and when its batch reached the listener. */
    private record Ready<D extends EventData>(
            Message message, InboundEvent<D> event, EventHandler<D> handler, long started) {

        UUID eventId() {
            return event.envelope().eventId();
        }

        String eventType() {
            return event.envelope().eventType();
        }

        void apply() {
            handler.handle(event);
        }

        void putMdc() {
            clearMdc();
            ReliableListener.putMdc(eventId().toString(), event.envelope().correlationId(), event.traceparent());
        }
    }

    private void fail(Message message, Channel channel, String eventType, RuntimeException failure, int attempt) {
        FailureClassifier.Kind kind = classifier.classify(failure);
        if (kind == FailureClassifier.Kind.PERMANENT) {
            park(message, channel, eventType, ParkingReason.PERMANENT_FAILURE, failure, attempt);
            return;
        }
        MessagingProperties.Retry retry = properties.retry();
        if (attempt >= retry.maxAttempts()) {
            park(message, channel, eventType, ParkingReason.ATTEMPTS_EXHAUSTED, failure, attempt);
            return;
        }
        Duration delay = retry.delayAfter(attempt);
        String tier = Topology.retryQueue(properties.domain(), delay);
        Message retried = copy(message, Map.of(MessageHeaders.ATTEMPT, attempt + 1));
        if (republish(Topology.RETRY_EXCHANGE, tier, retried, message, channel)) {
            ack(message, channel);
            metrics.outcome(eventType, Outcome.RETRIED);
            log.warn(
                    "{} failed transiently on attempt {} of {}; retrying in {} via {}: {}",
                    eventType,
                    attempt,
                    retry.maxAttempts(),
                    delay,
                    tier,
                    describe(failure));
        }
    }

    private void park(
            Message message, Channel channel, String eventType, ParkingReason reason, Throwable failure, int attempt) {
        park(message, channel, eventType, reason, failure, attempt, Map.of());
    }

    /** Parks with {@code details} as extra headers; whether the parking lot confirmed the copy (and it was acked). */
    private boolean park(
            Message message,
            Channel channel,
            String eventType,
            ParkingReason reason,
            Throwable failure,
            int attempt,
            Map<String, Object> details) {
        Map<String, Object> headers = new LinkedHashMap<>(details);
        headers.put(MessageHeaders.FAILURE_REASON, reason.name());
        headers.put(MessageHeaders.EXCEPTION, truncate(describe(failure)));
        headers.put(MessageHeaders.ATTEMPTS, attempt);
        headers.put(MessageHeaders.PARKED_AT, clock.instant().toString());
        Message parked = copy(message, headers);
        if (republish(Topology.DEAD_LETTER_EXCHANGE, properties.domain(), parked, message, channel)) {
            ack(message, channel);
            metrics.outcome(eventType, Outcome.PARKED);
            if (reason == ParkingReason.PERMANENT_FAILURE || reason == ParkingReason.ATTEMPTS_EXHAUSTED) {
                log.error(
                        "{} parked in {} ({}, after {} attempt(s)): {}",
                        eventType,
                        Topology.parkingLot(properties.domain()),
                        reason,
                        attempt,
                        describe(failure),
                        failure);
            } else {
                log.error(
                        "Message {} parked in {} ({}): {}",
                        props(message).getMessageId(),
                        Topology.parkingLot(properties.domain()),
                        reason,
                        failure.getMessage());
            }
            return true;
        }
        return false;
    }

    private boolean republish(String exchange, String routingKey, Message copy, Message original, Channel channel) {
        try {
            republisher.publish(exchange, routingKey, copy);
            return true;
        } catch (Republisher.RepublishException e) {
            metrics.republishFailed();
            log.error(
                    "Could not move the delivery to '{}'; returning it to {} unacknowledged (the queue's delivery "
                            + "limit bounds how often): {}",
                    routingKey,
                    Topology.workQueue(properties.domain()),
                    e.getMessage());
            reject(original, channel);
            return false;
        }
    }

    private void ack(Message message, Channel channel) {
        ack(message, channel, false);
    }

    /** Acks the delivery, and with {@code multiple} every earlier one of the channel still unacknowledged. */
    private void ack(Message message, Channel channel, boolean multiple) {
        try {
            channel.basicAck(props(message).getDeliveryTag(), multiple);
        } catch (IOException | RuntimeException e) {
            // The effect is committed (or the copy confirmed); the broker will redeliver, and the redelivery is a
            // duplicate that changes nothing.
            log.warn(
                    "Could not acknowledge delivery {}; the broker will redeliver it and it will be recognised as a "
                            + "duplicate: {}",
                    props(message).getMessageId(),
                    e.toString());
        }
    }

    private void reject(Message message, Channel channel) {
        try {
            channel.basicReject(props(message).getDeliveryTag(), true);
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "Could not return delivery {} to its queue; the broker will redeliver it when the channel "
                            + "closes: {}",
                    props(message).getMessageId(),
                    e.toString());
        }
    }

    /** The message with the broker's and our previous bookkeeping headers dropped and {@code extra} set. */
    static Message copy(Message original, Map<String, Object> extra) {
        MessageProperties from = props(original);
        MessageProperties to = new MessageProperties();
        to.setContentType(from.getContentType());
        to.setContentEncoding(from.getContentEncoding());
        to.setMessageId(from.getMessageId());
        to.setType(from.getType());
        to.setTimestamp(from.getTimestamp());
        to.setCorrelationId(from.getCorrelationId());
        to.setAppId(from.getAppId());
        to.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        for (Map.Entry<String, Object> header : from.getHeaders().entrySet()) {
            String name = header.getKey();
            // x- headers belong to the broker (x-death, x-delivery-count); our own are rewritten below.
            if (!name.startsWith("x-") && !name.equals(MessageHeaders.ATTEMPT)) {
                to.setHeader(name, header.getValue());
            }
        }
        to.setHeader(MessageHeaders.ORIGINAL_ROUTING_KEY, originalRoutingKey(from));
        extra.forEach(to::setHeader);
        return new Message(original.getBody(), to);
    }

    static String originalRoutingKey(MessageProperties props) {
        String recorded = headerText(props, MessageHeaders.ORIGINAL_ROUTING_KEY);
        if (recorded != null) {
            return recorded;
        }
        String received = props.getReceivedRoutingKey();
        return received == null ? "" : received;
    }

    static int attemptOf(MessageProperties props) {
        return (int) Math.clamp(headerNumber(props, MessageHeaders.ATTEMPT, 1), 1, Integer.MAX_VALUE);
    }

    /**
     * The cause's retries its producer recorded; what cannot be read as such counts as none (these headers are not
     * signed and only shown, never acted on).
     */
    static Retries causeOf(MessageProperties props) {
        long retries = Math.clamp(headerNumber(props, MessageHeaders.CAUSE_RETRIES, 0), 0, Retries.MAX_COUNT);
        boolean replayed = "true".equals(headerText(props, MessageHeaders.CAUSE_REPLAYED));
        return retries == 0 && !replayed ? Retries.NONE : new Retries((int) retries, replayed);
    }

    /**
     * A whole-number header as the broker delivers it (an int, a long, or text such as a JSON-sourced string), or
     * {@code fallback} when it is absent or not a number: the runtime's own counters are unsigned, so a header that
     * cannot be read never fails a delivery.
     */
    static long headerNumber(MessageProperties props, String name, long fallback) {
        Object value = props.getHeaders().get(name);
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.toString().strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static @Nullable String headerText(MessageProperties props, String name) {
        Object value = props.getHeaders().get(name);
        return value == null ? null : value.toString();
    }

    private static void clearMdc() {
        MDC.remove(MDC_EVENT_ID);
        MDC.remove(MDC_ORDER_ID);
        MDC.remove(MDC_TRACE_ID);
    }

    private static void putMdc(@Nullable String eventId, @Nullable String orderId, @Nullable String traceparent) {
        if (eventId != null) {
            MDC.put(MDC_EVENT_ID, eventId);
        }
        if (orderId != null) {
            MDC.put(MDC_ORDER_ID, orderId);
        }
        if (traceparent != null) {
            Matcher matcher = TRACEPARENT.matcher(traceparent);
            if (matcher.matches()) {
                MDC.put(MDC_TRACE_ID, matcher.group(1));
            }
        }
    }

    private static MessageProperties props(Message message) {
        return message.getMessageProperties();
    }

    static String describe(Throwable failure) {
        Throwable root = failure;
        // Name the innermost cause too: "TransactionSystemException" alone says little.
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String outer = failure.getClass().getName() + ": " + failure.getMessage();
        return root == failure
                ? outer
                : outer + " (caused by " + root.getClass().getName() + ": " + root.getMessage() + ")";
    }

    private static String truncate(String text) {
        return text.length() <= EXCEPTION_HEADER_LIMIT ? text : text.substring(0, EXCEPTION_HEADER_LIMIT - 1) + "…";
    }
}
