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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replays parked messages back to {@code D.work} and purges them, recording every operation in the
 * {@link ParkingAudit}.
 *
 * <p>A replayed message is the parked body, unchanged, with its original properties and headers, minus the parking
 * headers and the attempt counter (it starts afresh), plus {@value MessageHeaders#REPLAYED_AT}; it is published to
 * {@code orders.retry} with routing key {@code D.work}, where only {@code D.work} is bound with that key, so no other
 * domain receives it again.
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
            MessageHeaders.SIGNATURE_FAILURE,
            MessageHeaders.REPLAYED_AT);

    private final String domain;
    private final ParkedMessages parked;
    private final ParkingAudit audit;
    private final Republisher republisher;
    private final TransactionTemplate transaction;
    private final RateLimiter rateLimiter;
    private final int replayRate;
    private final Duration replayWait;
    private final int replayLimit;
    private final Clock clock;

    /** How a replay ended; recorded in {@code parking_audit.outcome}. */
    public enum Outcome {
        /** Everything selected was replayed, up to the per-request limit ({@code remaining} says what is left). */
        COMPLETE,
        /** The rate limiter gave no permit in time (another replay is using it): stopped; ask again. */
        THROTTLED,
        /** A copy could not be republished or a parked row not rebuilt: stopped at that message, which stays parked. */
        FAILED
    }

    /**
     * The result of a replay.
     *
     * @param replayed how many went back to the work queue (and were deleted from the parking lot)
     * @param remaining how many selected ones are left
     * @param outcome whether it did all it could, or why it stopped early
     * @param detail what stopped it, for {@link Outcome#THROTTLED} and {@link Outcome#FAILED}
     */
    public record Replayed(
            int replayed,
            long remaining,
            Outcome outcome,
            @Nullable String detail) {}

    public ParkingLotOperations(
            String domain,
            ParkedMessages parked,
            ParkingAudit audit,
            Republisher republisher,
            TransactionTemplate transaction,
            int replayRate,
            Duration replayWait,
            int replayLimit,
            Clock clock) {
        this.domain = domain;
        this.parked = parked;
        this.audit = audit;
        this.republisher = republisher;
        this.transaction = transaction;
        this.replayRate = replayRate;
        this.replayWait = replayWait;
        this.replayLimit = replayLimit;
        this.clock = clock;
        this.rateLimiter = RateLimiter.of(
                "parking-lot-replay-" + domain,
                RateLimiterConfig.custom()
                        .limitForPeriod(replayRate)
                        .limitRefreshPeriod(Duration.ofSeconds(1))
                        .timeoutDuration(replayWait)
                        .build());
    }

    /** The parking lot's queue name, which a purge must be confirmed with. */
    public String parkingLotName() {
        return Topology.parkingLot(domain);
    }

    /**
     * Republishes the selected messages (at most the configured limit per call) to the work queue and deletes them,
     * each only after the broker confirmed its copy, in transactions of up to 100. It stops at the first message the
     * rate limiter gives no permit for in time, or that cannot be republished; what was replayed until then stays
     * replayed. Whatever happens, the replay is recorded in the audit trail with its outcome.
     *
     * @param actor who asked, for the audit trail
     */
    public Replayed replay(Selection selection, String actor) {
        Stop stop = new Stop();
        int replayed = 0;
        int batch = Math.min(100, replayLimit);
        try {
            while (replayed < replayLimit && stop.outcome == Outcome.COMPLETE) {
                int wanted = Math.min(batch, replayLimit - replayed);
                Integer done = transaction.execute(status -> replayBatch(selection, wanted, stop));
                int count = done == null ? 0 : done;
                replayed += count;
                if (count < wanted) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            // The batch's transaction failed (the database): its copies were published but its rows stay parked, so
            // a later replay sends them again, which the consumer recognises by event id.
            stop.stop(Outcome.FAILED, "the parking lot's database failed: " + e.getMessage());
        }
        int total = replayed;
        long remaining = parked.count(selection);
        transaction.executeWithoutResult(
                status -> audit.record(actor, "REPLAY", selection, total, stop.outcome.name(), stop.detail));
        if (stop.outcome == Outcome.COMPLETE) {
            log.info(
                    "{} replayed {} parked message(s) ({}) to {}; {} selected remain",
                    actor,
                    total,
                    selection.describe(),
                    Topology.workQueue(domain),
                    remaining);
        } else {
            log.error(
                    "{}'s replay of parked messages ({}) to {} stopped after {} ({}): {}; {} selected remain",
                    actor,
                    selection.describe(),
                    Topology.workQueue(domain),
                    total,
                    stop.outcome,
                    stop.detail,
                    remaining);
        }
        return new Replayed(total, remaining, stop.outcome, stop.detail);
    }

    /** Replays up to {@code wanted} locked rows; returns how many, stopping early as {@code stop} records. */
    private int replayBatch(Selection selection, int wanted, Stop stop) {
        List<ParkedMessages.Stored> rows = parked.lock(selection, wanted);
        int done = 0;
        for (ParkedMessages.Stored row : rows) {
            if (!rateLimiter.acquirePermission()) {
                stop.stop(
                        Outcome.THROTTLED,
                        "no replay permit within %s (orderly.messaging.parking-lot.replay-rate = %d/s; another replay "
                                        .formatted(replayWait, replayRate)
                                + "may be running): ask again");
                break;
            }
            try {
                republisher.publish(Topology.RETRY_EXCHANGE, Topology.workQueue(domain), rebuild(row));
            } catch (RuntimeException e) {
                stop.stop(
                        Outcome.FAILED,
                        "parked message " + row.id() + " could not be replayed and stays parked: " + e.getMessage());
                break;
            }
            parked.delete(row.id());
            done++;
        }
        return done;
    }

    /** Why a replay stopped early, if it did. */
    private static final class Stop {
        Outcome outcome = Outcome.COMPLETE;

        @Nullable
        String detail;

        void stop(Outcome why, String what) {
            outcome = why;
            detail = what;
        }
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
            audit.record(actor, "PURGE", selection, count, Outcome.COMPLETE.name(), null);
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

    private static @Nullable String text(@Nullable Object value) {
        return value == null ? null : value.toString();
    }
}
