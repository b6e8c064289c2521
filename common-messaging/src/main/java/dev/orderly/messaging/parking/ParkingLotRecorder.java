package dev.orderly.messaging.parking;

import com.rabbitmq.client.Channel;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.messaging.consumer.ParkingReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import org.springframework.dao.DataAccessException;

/**
 * Moves parked messages from the {@code D.parking-lot} queue into {@code parked_messages}, where operators can page,
 * filter, inspect, replay and purge them (a queue can only be read from its head, and reading a message without
 * losing it means taking and requeueing it, which reorders the queue and counts against its delivery limit).
 *
 * <p>Invariant: a parked delivery is acknowledged only after its row committed; the queue holds it until then, so a
 * database outage delays recording but never loses a message. While the database is unreachable this listener waits
 * and tries again with a capped backoff on its own single thread, rather than requeueing in a loop; when the container
 * is stopping it returns the delivery to the queue instead.
 */
public final class ParkingLotRecorder implements ChannelAwareMessageListener {

    private static final Logger log = LoggerFactory.getLogger(ParkingLotRecorder.class);

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final ParkedMessages parked;
    private final BooleanSupplier running;
    private final Consumer<@Nullable String> brokerDeadLettered;

    /**
     * @param running whether the recorder's container is still running; false once it is stopping
     * @param brokerDeadLettered told the event type (or null) of each message the broker itself dead-lettered (it
     *     carries no runtime failure reason), once, when it is first recorded
     */
    public ParkingLotRecorder(
            ParkedMessages parked, BooleanSupplier running, Consumer<@Nullable String> brokerDeadLettered) {
        this.parked = parked;
        this.running = running;
        this.brokerDeadLettered = brokerDeadLettered;
    }

    @Override
    public void onMessage(Message message, Channel channel) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        ParkedMessages.NewParked row = toRow(message);
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                boolean first = parked.record(row);
                if (!first) {
                    log.info("Parked message {} was already recorded", row.messageId());
                }
                channel.basicAck(tag, false);
                if (first && !message.getMessageProperties().getHeaders().containsKey(MessageHeaders.FAILURE_REASON)) {
                    log.error(
                            "Message {} ({}) was dead-lettered to the parking lot by the broker ({}): it was returned "
                                    + "to its work queue more often than the delivery limit allows",
                            row.messageId(),
                            row.eventType(),
                            row.reason());
                    brokerDeadLettered.accept(row.eventType());
                }
                return;
            } catch (DataAccessException e) {
                if (!running.getAsBoolean()) {
                    channel.basicReject(tag, true);
                    return;
                }
                log.warn(
                        "Could not record parked message {} in the database; it stays in the parking-lot queue and "
                                + "recording is retried in {}: {}",
                        row.messageId(),
                        backoff,
                        e.getMessage());
                // A bounded pause on the recorder's own thread; the delivery stays unacked (and safe) meanwhile.
                LockSupport.parkNanos(backoff.toNanos());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    static ParkedMessages.NewParked toRow(Message message) {
        MessageProperties props = message.getMessageProperties();
        Map<String, Object> headers = new TreeMap<>();
        props.getHeaders().forEach((name, value) -> headers.put(name, jsonValue(value)));
        // The redelivery counter changes each time the same parked delivery is read again: not part of its identity.
        headers.remove("x-delivery-count");
        Map<String, Object> properties = new LinkedHashMap<>();
        putIfPresent(properties, "message_id", props.getMessageId());
        putIfPresent(properties, "type", props.getType());
        putIfPresent(properties, "content_type", props.getContentType());
        putIfPresent(properties, "content_encoding", props.getContentEncoding());
        putIfPresent(properties, "correlation_id", props.getCorrelationId());
        putIfPresent(properties, "app_id", props.getAppId());
        if (props.getTimestamp() != null) {
            properties.put("timestamp", props.getTimestamp().toInstant().toString());
        }
        String reason = text(headers.get(MessageHeaders.FAILURE_REASON));
        Instant parkedAt = parseInstant(text(headers.get(MessageHeaders.PARKED_AT)));
        if (reason == null) {
            // Dead-lettered by the broker itself (the work queue's delivery limit), not by the runtime.
            String brokerReason = text(headers.get("x-first-death-reason"));
            reason = "delivery_limit".equals(brokerReason)
                    ? ParkingReason.DELIVERY_LIMIT.name()
                    : "DEAD_LETTERED_" + String.valueOf(brokerReason).toUpperCase(java.util.Locale.ROOT);
        }
        String routingKey = text(headers.get(MessageHeaders.ORIGINAL_ROUTING_KEY));
        if (routingKey == null) {
            routingKey = props.getReceivedRoutingKey();
        }
        return new ParkedMessages.NewParked(
                fingerprint(message.getBody(), properties, headers),
                props.getMessageId(),
                props.getType(),
                reason,
                text(headers.get(MessageHeaders.EXCEPTION)),
                integer(headers.get(MessageHeaders.ATTEMPTS)),
                routingKey,
                parkedAt == null ? Instant.now() : parkedAt,
                properties,
                headers,
                message.getBody());
    }

    /** A header value as JSON can hold it: AMQP long strings become text, timestamps ISO-8601, tables maps. */
    static @Nullable Object jsonValue(@Nullable Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Date date) {
            return date.toInstant().toString();
        }
        if (value instanceof byte[] bytes) {
            return java.util.Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new TreeMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), jsonValue(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(jsonValue(v)));
            return Collections.unmodifiableList(copy);
        }
        return value.toString();
    }

    private static byte[] fingerprint(byte[] body, Map<String, Object> properties, Map<String, Object> headers) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(body);
            sha.update(properties.toString().getBytes(StandardCharsets.UTF_8));
            sha.update(headers.toString().getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void putIfPresent(Map<String, Object> map, String key, @Nullable Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static @Nullable String text(@Nullable Object value) {
        return value == null ? null : value.toString();
    }

    private static @Nullable Integer integer(@Nullable Object value) {
        if (value instanceof Number number) {
            return number.intValue();
        }
        try {
            return value == null ? null : Integer.valueOf(value.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static @Nullable Instant parseInstant(@Nullable String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
