package dev.orderly.messaging.consumer;

import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health contributor {@code workQueueListener}, meant for the readiness group: UP while the work-queue container runs
 * with at least one consumer, DOWN when it is stopped or has none — a worker whose listener stopped (it could not
 * start, or someone stopped it) consumes nothing, and the {@code rabbit} contributor alone would still say UP, because
 * it opens a connection of its own.
 *
 * <p>Not for liveness: while the broker is unreachable the container keeps its consumers and recovers them by itself
 * (the {@code rabbit} contributor reports that outage), and a restart would not bring a broker back.
 */
public final class WorkQueueListenerHealthIndicator implements HealthIndicator {

    private final SimpleMessageListenerContainer container;
    private final String queue;
    private final int configuredConsumers;

    public WorkQueueListenerHealthIndicator(
            SimpleMessageListenerContainer container, String queue, int configuredConsumers) {
        this.container = container;
        this.queue = queue;
        this.configuredConsumers = configuredConsumers;
    }

    @Override
    public Health health() {
        boolean running = container.isRunning();
        int consumers = container.getActiveConsumerCount();
        Health.Builder health = running && consumers > 0 ? Health.up() : Health.down();
        health.withDetail("queue", queue)
                .withDetail("running", running)
                .withDetail("consumers", consumers)
                .withDetail("configuredConsumers", configuredConsumers);
        if (!running) {
            health.withDetail(
                    "reason",
                    "the listener container is stopped: nothing is consumed from " + queue + " until it "
                            + "is started again (restart the service)");
        }
        return health.build();
    }
}
