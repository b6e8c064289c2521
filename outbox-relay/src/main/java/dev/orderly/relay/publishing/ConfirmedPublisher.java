package dev.orderly.relay.publishing;

import dev.orderly.relay.outbox.OutboxRow;
import dev.orderly.relay.routes.RouteGuard;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.connection.CorrelationData.Confirm;
import org.springframework.amqp.rabbit.core.RabbitOperations;

/**
 * Publishes rows in id order on one channel, persistent and {@code mandatory}, and finds out which of them the broker
 * really took.
 *
 * <p>Each message carries its own {@link CorrelationData}; its future is awaited with a deadline ({@code
 * confirm-timeout} after the message was sent) and {@link CorrelationData#getReturned()} is checked, because an
 * unroutable message comes back as a return <em>and</em> an ack. At most {@code max-in-flight} messages are unconfirmed
 * at any moment. Publishing stops at the first failure it notices, since nothing after it may be marked anyway.
 *
 * <p>A run keeps its channel while there is work: it asks its {@link RowStream} for more rows whenever a batch was
 * full or new rows were announced, also while earlier messages are still awaiting their confirms, and hands the
 * confirmed rows over to be marked as they come. So a new row does not wait for the previous ones' confirms, and the
 * database round trips overlap the broker's work instead of leaving the confirm window empty. While a run goes on, its
 * confirmed rows are handed over together, once {@code mark-linger} has passed since the first of them was confirmed
 * or {@code max-in-flight} of them are waiting: one mark for many confirms, instead of one UPDATE per confirm that
 * arrives (a quorum queue confirms a steady stream a few messages at a time). A run ends when nothing is in flight and
 * nothing new was announced, when the stream says so, or at the first failure; whatever it confirmed is handed over
 * before it returns.
 *
 * <p>Invariant: the rows handed to {@link RowStream#confirmed} are, in order, the longest prefix of the run whose every
 * message was acked and not returned, and a run never reads past a row it did not send (a batch cut short by
 * {@link RowStream#keepSending()} ends the run). One channel ({@link RabbitOperations#invoke}) keeps the messages in order on the
 * wire; the prefix rule keeps them in order across retries: a row is never marked while an earlier one is not.
 */
final class ConfirmedPublisher {

    /** Where a run's rows come from and where its confirmed rows go; called on the publishing thread. */
    interface RowStream {

        /**
         * The rows to publish after row {@code lastId} (and any lower ones the stream's earlier reads skipped, not yet
         * committed then), read now if more may be there (the last read was a full batch, or new rows were announced
         * since); otherwise an empty list. Never a row already sent in this run.
         */
        List<OutboxRow> next(long lastId);

        /** Whether to go on sending: false once the run must end (shutdown, lease lost, run long enough). */
        boolean keepSending();

        /**
         * Waits, at most until {@code deadline} ({@link System#nanoTime()}), for new rows to be announced, a confirm to
         * arrive ({@link #confirmArrived()}) or shutdown.
         */
        void awaitActivity(long deadline);

        /** Called, on a broker thread, whenever one of the run's confirms arrives. */
        void confirmArrived();

        /** Rows the broker confirmed, in id order, continuing the previous call's; to be marked published. */
        void confirmed(List<OutboxRow> rows);
    }

    /**
     * What became of a run.
     *
     * @param confirmed how many rows were confirmed (and handed to {@link RowStream#confirmed})
     * @param failure why the run stopped before its last row was confirmed; null if every row it sent was
     */
    record RunResult(long confirmed, @Nullable PublishFailure failure) {}

    private final RabbitOperations rabbit;
    private final String exchange;
    private final int maxInFlight;
    private final Duration confirmTimeout;
    private final long markLingerNanos;
    private final RouteGuard routes;

    /**
     * @param markLinger how long, while a run goes on, its confirmed rows may wait to be handed over together (zero:
     *     handed over as soon as confirmed); a crash in that time only makes them go out again
     */
    ConfirmedPublisher(
            RabbitOperations rabbit,
            String exchange,
            int maxInFlight,
            Duration confirmTimeout,
            Duration markLinger,
            RouteGuard routes) {
        this.rabbit = rabbit;
        this.exchange = exchange;
        this.maxInFlight = maxInFlight;
        this.confirmTimeout = confirmTimeout;
        this.markLingerNanos = markLinger.toNanos();
        this.routes = routes;
    }

    /** Where rows are published. */
    String exchange() {
        return exchange;
    }

    /**
     * Publishes {@code first}, then whatever {@code stream} supplies, and waits for their confirms.
     *
     * @param first a non-empty batch in id order
     * @param confirmLatency records, for each acked message, the time from sending it to its confirm
     */
    RunResult publish(List<OutboxRow> first, RowStream stream, Timer confirmLatency) {
        try {
            return rabbit.invoke(operations -> new Run(operations, stream, confirmLatency).publish(first));
        } catch (AmqpException e) {
            // No channel: the broker is unreachable or refused the connection. Nothing was sent.
            return new RunResult(0, PublishFailure.unreachable(first.getFirst(), e));
        }
    }

    /** One run on one channel: the messages sent and not yet settled, oldest first. */
    private final class Run {

        private final RabbitOperations operations;
        private final RowStream stream;
        private final Timer confirmLatency;
        private final ArrayDeque<Sent> unsettled = new ArrayDeque<>();
        /** Confirmed rows not yet handed over; the first was confirmed at {@link #firstConfirmedAt}. */
        private final List<OutboxRow> confirmed = new ArrayList<>();

        private long firstConfirmedAt;
        private long confirmedTotal;
        /** The first message that was not cleanly confirmed: nothing after it counts, whatever its confirm says. */
        private @Nullable PublishFailure confirmFailure;
        /** The highest id sent; the next read starts after it. */
        private long lastSent = Long.MIN_VALUE;
        /**
         * Whether a batch stopped before its end because {@link RowStream#keepSending()} said no: the run ends then,
         * even if the stream would go on a moment later (a blocked connection unblocked), so that the unsent rest of
         * the batch is never passed over; the next run starts again from the oldest unpublished row.
         */
        private boolean cutShort;

        Run(RabbitOperations operations, RowStream stream, Timer confirmLatency) {
            this.operations = operations;
            this.stream = stream;
            this.confirmLatency = confirmLatency;
        }

        RunResult publish(List<OutboxRow> first) {
            PublishFailure failure = send(first);
            while (failure == null && !cutShort && stream.keepSending()) {
                // Read more while earlier messages await their confirms; mark what is confirmed meanwhile. Always after
                // the last row really sent: a batch cut short must not be stepped over.
                List<OutboxRow> next = stream.next(lastSent);
                handOverDue();
                if (!next.isEmpty()) {
                    failure = send(next);
                    continue;
                }
                failure = settleDue();
                handOverDue();
                if (failure != null || unsettled.isEmpty()) {
                    break;
                }
                long wait = deadline(unsettled.getFirst());
                if (!confirmed.isEmpty() && markDue() - wait < 0) {
                    wait = markDue();
                }
                stream.awaitActivity(wait);
            }
            while (confirmFailure == null && !unsettled.isEmpty()) {
                settleOldest();
            }
            handOver();
            return new RunResult(confirmedTotal, confirmFailure != null ? confirmFailure : failure);
        }

        /** Sends a batch within the window; returns the first failure noticed (confirm or send), if any. */
        private @Nullable PublishFailure send(List<OutboxRow> rows) {
            for (OutboxRow row : rows) {
                PublishFailure failure = settleCompleted();
                while (failure == null && unsettled.size() >= maxInFlight) {
                    failure = settleOldest();
                }
                if (failure != null) {
                    return failure;
                }
                if (!stream.keepSending()) {
                    cutShort = true;
                    return null;
                }
                failure = send(row);
                if (failure != null) {
                    return failure;
                }
            }
            return null;
        }

        /** Settles what has been confirmed, and the oldest message if its deadline has passed. */
        private @Nullable PublishFailure settleDue() {
            PublishFailure failure = settleCompleted();
            if (failure == null && !unsettled.isEmpty() && System.nanoTime() - deadline(unsettled.getFirst()) >= 0) {
                failure = settleOldest();
            }
            return failure;
        }

        private long deadline(Sent sent) {
            return sent.sentAt() + confirmTimeout.toNanos();
        }

        /** When the confirmed rows waiting are to be handed over ({@link System#nanoTime()}). */
        private long markDue() {
            return firstConfirmedAt + markLingerNanos;
        }

        /** Hands the confirmed rows over if they have waited {@code mark-linger}, or enough of them are waiting. */
        private void handOverDue() {
            if (!confirmed.isEmpty() && (confirmed.size() >= maxInFlight || System.nanoTime() - markDue() >= 0)) {
                handOver();
            }
        }

        /** Hands the rows confirmed so far to the stream, to be marked. */
        private void handOver() {
            if (!confirmed.isEmpty()) {
                List<OutboxRow> rows = List.copyOf(confirmed);
                confirmed.clear();
                confirmedTotal += rows.size();
                stream.confirmed(rows);
            }
        }

        private @Nullable PublishFailure send(OutboxRow row) {
            String held = routes.blockedReason(row.eventType());
            if (held != null) {
                // Nothing is sent: the row and every later one wait.
                return PublishFailure.missingRoute(row, held);
            }
            Message message;
            try {
                message = RowMessages.toMessage(row);
            } catch (IllegalArgumentException e) {
                return PublishFailure.unpublishable(row, e.getMessage());
            }
            CorrelationData correlation = new CorrelationData(Long.toString(row.id()));
            long sentAt = System.nanoTime();
            try {
                operations.send(exchange, row.routingKey(), message, correlation);
            } catch (AmqpException e) {
                return PublishFailure.sendFailed(row, e);
            }
            correlation.getFuture().thenAccept(confirm -> {
                if (confirm.ack() && correlation.getReturned() == null) {
                    confirmLatency.record(System.nanoTime() - sentAt, TimeUnit.NANOSECONDS);
                }
                stream.confirmArrived();
            });
            unsettled.add(new Sent(row, correlation, sentAt));
            // A row an earlier read skipped (committed late) goes out after later ones: the next read starts after the
            // highest id sent.
            lastSent = Math.max(lastSent, row.id());
            return null;
        }

        /** Settles, without waiting, the oldest messages whose confirms have already arrived. */
        private @Nullable PublishFailure settleCompleted() {
            while (!unsettled.isEmpty()
                    && unsettled.getFirst().correlation().getFuture().isDone()) {
                PublishFailure failure = settleOldest();
                if (failure != null) {
                    return failure;
                }
            }
            return null;
        }

        /** Waits for the oldest unsettled message's confirm, until its deadline, and judges it. */
        private @Nullable PublishFailure settleOldest() {
            PublishFailure failure = judgeOldest();
            if (failure != null) {
                confirmFailure = failure;
            }
            return failure;
        }

        private @Nullable PublishFailure judgeOldest() {
            Sent sent = unsettled.removeFirst();
            long deadline = deadline(sent);
            Confirm confirm;
            try {
                confirm = sent.correlation()
                        .getFuture()
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return PublishFailure.timeout(sent.row(), confirmTimeout);
            } catch (ExecutionException e) {
                return PublishFailure.confirmFailed(sent.row(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return PublishFailure.interrupted(sent.row());
            }
            if (!confirm.ack()) {
                return PublishFailure.nack(sent.row(), confirm.reason());
            }
            ReturnedMessage returned = sent.correlation().getReturned();
            if (returned != null) {
                return PublishFailure.returned(sent.row(), returned);
            }
            if (confirmed.isEmpty()) {
                firstConfirmedAt = System.nanoTime();
            }
            confirmed.add(sent.row());
            return null;
        }
    }

    private record Sent(OutboxRow row, CorrelationData correlation, long sentAt) {}
}
