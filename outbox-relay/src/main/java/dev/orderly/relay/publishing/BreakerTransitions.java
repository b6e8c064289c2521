package dev.orderly.relay.publishing;

import dev.orderly.messaging.outbox.OutboxTable;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import io.github.resilience4j.core.EventConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens to one table's circuit breaker: reports each change of state, and ends its drainer's wait for the broker
 * once the breaker lets batches through again.
 *
 * <p>Invariant: a drainer paused because its circuit is open ({@link Wakeup.Until#RESUME}) tries again as soon as the
 * breaker half-opens or closes, not only at its next poll. An opening is an ERROR that says what to check, except when
 * the trial batch of a half-open breaker failed too, which is a WARN: the ERROR has already been said.
 */
final class BreakerTransitions implements EventConsumer<CircuitBreakerOnStateTransitionEvent> {

    // The drainer's logger, as before these lines moved here: a log level or a log query set on it still sees them.
    private static final Logger log = LoggerFactory.getLogger(TableDrainer.class);

    private final CircuitBreaker breaker;
    private final OutboxTable table;
    private final Wakeup wakeup;
    private final boolean reports;

    private BreakerTransitions(CircuitBreaker breaker, OutboxTable table, Wakeup wakeup, boolean reports) {
        this.breaker = breaker;
        this.table = table;
        this.wakeup = wakeup;
        this.reports = reports;
    }

    /**
     * Listens to {@code breaker}, the breaker of {@code table}, for a drainer that waits on {@code wakeup}. The
     * partitions of a table share its breaker: only one of their listeners ({@code reports}) logs the transitions.
     */
    static void listen(CircuitBreaker breaker, OutboxTable table, Wakeup wakeup, boolean reports) {
        breaker.getEventPublisher().onStateTransition(new BreakerTransitions(breaker, table, wakeup, reports));
    }

    @Override
    public void consumeEvent(CircuitBreakerOnStateTransitionEvent event) {
        if (!reports) {
            switch (event.getStateTransition().getToState()) {
                case HALF_OPEN, CLOSED -> wakeup.resume();
                default -> {}
            }
            return;
        }
        switch (event.getStateTransition().getToState()) {
            case OPEN -> {
                if (event.getStateTransition().getFromState() == CircuitBreaker.State.HALF_OPEN) {
                    log.warn(
                            "Circuit breaker '{}': the trial batch of {} failed too; open again",
                            breaker.getName(),
                            table);
                } else {
                    log.error(
                            "Circuit breaker '{}' opened after repeated broker failures publishing {}: nothing is "
                                    + "published from it until the breaker half-opens, and readiness reports DOWN "
                                    + "meanwhile. Check that RabbitMQ is up and reachable and the exchange "
                                    + "exists; the relay resumes by itself.",
                            breaker.getName(),
                            table);
                }
            }
            case HALF_OPEN -> {
                log.info("Circuit breaker '{}' half-open: trying one batch of {}", breaker.getName(), table);
                wakeup.resume();
            }
            case CLOSED -> {
                log.info("Circuit breaker '{}' closed: publishing {} normally again", breaker.getName(), table);
                wakeup.resume();
            }
            default -> {}
        }
    }
}
