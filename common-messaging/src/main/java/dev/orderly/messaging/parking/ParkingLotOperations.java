package dev.orderly.messaging.parking;

import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.consumer.Republisher;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replays parked messages back to {@code D.work} and purges them, recording every operation in
 * {@code parking_audit}.
 *
 * <p>A replayed message is the parked body, unchanged, with its original properties and headers, minus the parking
 * headers and the attempt counter (it starts afresh), plus {@value MessageHeaders#REPLAYED_AT}; it is published
 * through the default exchange straight to {@code D.work}, so no other domain receives it again.
 *
 * <p>Invariant: a row is deleted only in the transaction that follows the broker's confirm of its republished copy, so
 * a replay never loses a message; if that transaction fails the row stays and a second replay sends a duplicate,
 * which the consumer recognises by its event id. Replays are paced by a token bucket (resilience4j
 * {@link RateLimiter}), so replaying a large parking lot cannot flood the work queue.
 */
public final class ParkingLotOperations {

    private static final Logger log = LoggerFactory.getLogger(ParkingLotOperations.class);

    /** Headers the runtime adds when parking; dropped on replay. */
    private static final Set<String> PARKING_HEADERS = Set.of(
            MessageHeaders.ATTEMPT,
            MessageHeaders.FAILURE_REASON,
            MessageHeaders.EXCEPTION,
            MessageHeaders.ATTEMPTS,
            MessageHeaders.PARKED_AT,
            MessageHeaders.REPLAYED_AT);

    private final String domain;
    private final ParkedMessages parked;
    private final Republisher republisher;
    private final TransactionTemplate transaction;
    private final RateLimiter rateLimiter;
    private final int replayLimit;
    private final Clock clock;

    /** The result of a replay: how many went back to the work queue and how many selected ones are left. */
    public record Replayed(int replayed, long remaining) {}

    public ParkingLotOperations(
            String domain,
            ParkedMessages parked,
            Republisher republisher,
            TransactionTemplate transaction,
            int replayRate,
            int replayLimit,
            Clock clock) {
        this.domain = domain;
        this.parked = parked;
        this.republisher = republisher;
        this.transaction = transaction;
        this.replayLimit = replayLimit;
        this.clock = clock;
        this.rateLimiter = RateLimiter.of(
                "parking-lot-replay-" + domain,
                RateLimiterConfig.custom()
                        .limitForPeriod(replayRate)
                        .limitRefreshPeriod(Duration.ofSeconds(1))
                        .timeoutDuration(Duration.ofSeconds(5))
                        .build());
    }

    /** The parking lot's queue name, which a purge must be confirmed with. */
    public String parkingLotName() {
        return Topology.parkingLot(domain);
    }

    /**
     * Republishes the selected messages (at most the configured limit per call) to the work queue and deletes them.
     *
     * @param actor who asked, for the audit trail
     */
    public Replayed replay(Selection selection, String actor) {
        int replayed = 0;
        int batch = Math.min(100, replayLimit);
        while (replayed < replayLimit) {
            int wanted = Math.min(batch, replayLimit - replayed);
            Integer done = transaction.execute(status -> {
                List<ParkedMessages.Stored> rows = parked.lock(selection, wanted);
                for (ParkedMessages.Stored row : rows) {
                    rateLimiter.acquirePermission();
                    republisher.publish(Topology.RETRY_EXCHANGE, Topology.workQueue(domain), rebuild(row));
                    parked.delete(row.id());
                }
                return rows.size();
            });
            int count = done == null ? 0 : done;
            replayed += count;
            if (count < wanted) {
                break;
            }
        }
        long remaining = parked.count(selection);
        int total = replayed;
        transaction.executeWithoutResult(status -> parked.audit(actor, "REPLAY", selection, total));
        log.info(
                "{} replayed {} parked message(s) ({}) to {}; {} selected remain",
                actor,
                replayed,
                selection.describe(),
                Topology.workQueue(domain),
                remaining);
        return new Replayed(replayed, remaining);
    }

    /**
     * Deletes the selected parked messages for good.
     *
     * @param confirmation must be the parking lot's queue name
     * @throws IllegalArgumentException if the confirmation does not name this parking lot
     */
    public int purge(Selection selection, String confirmation, String actor) {
        if (!parkingLotName().equals(confirmation)) {
            throw new IllegalArgumentException("A purge deletes parked messages for good: confirm it with confirm="
                    + parkingLotName() + " (got '" + confirmation + "')");
        }
        Integer purged = transaction.execute(status -> {
            int count = parked.purge(selection);
            parked.audit(actor, "PURGE", selection, count);
            return count;
        });
        log.warn("{} purged {} parked message(s) ({}) from {}", actor, purged, selection.describe(), parkingLotName());
        return purged == null ? 0 : purged;
    }

    private Message rebuild(ParkedMessages.Stored row) {
        Map<String, Object> stored = row.properties();
        MessageProperties props = new MessageProperties();
        props.setMessageId(text(stored.get("message_id")));
        props.setType(text(stored.get("type")));
        props.setContentType(
                stored.containsKey("content_type")
                        ? text(stored.get("content_type"))
                        : MessageHeaders.CONTENT_TYPE_JSON);
        props.setContentEncoding(text(stored.get("content_encoding")));
        props.setCorrelationId(text(stored.get("correlation_id")));
        props.setAppId(text(stored.get("app_id")));
        if (stored.get("timestamp") != null) {
            props.setTimestamp(
                    java.util.Date.from(Instant.parse(stored.get("timestamp").toString())));
        }
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        row.headers().forEach((name, value) -> {
            if (!name.startsWith("x-") && !PARKING_HEADERS.contains(name)) {
                props.setHeader(name, value);
            }
        });
        props.setHeader(MessageHeaders.REPLAYED_AT, clock.instant().toString());
        return new Message(row.body(), props);
    }

    private static @org.jspecify.annotations.Nullable String text(@org.jspecify.annotations.Nullable Object value) {
        return value == null ? null : value.toString();
    }
}
