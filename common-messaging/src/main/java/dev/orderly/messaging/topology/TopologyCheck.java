package dev.orderly.messaging.topology;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.RabbitUtils;

/**
 * Checks, passively, that the exchanges and queues a service needs exist on the broker: the deployment declares them
 * (see {@link DeploymentTopology}), the service only looks. A passive declare needs no permission and changes nothing;
 * one for an object that is not there closes its channel with 404, which is how a missing one is told apart.
 *
 * <p>Bindings cannot be checked passively over AMQP; the relay checks them (through the management API) before it
 * publishes the events they carry.
 *
 * <p>Invariant: {@link #current()} answers from a result at most {@code maxAge} old, so a readiness probe polled every
 * second costs the broker one round of passive declares per {@code maxAge}; a change between missing and complete is
 * logged once, at ERROR when something goes missing and at INFO when everything is back.
 */
public final class TopologyCheck {

    private static final Logger log = LoggerFactory.getLogger(TopologyCheck.class);

    /**
     * What a check found.
     *
     * @param missing the objects not on the broker, as "queue NAME" or "exchange NAME"
     * @param error why the broker could not be asked, if it could not (then {@code missing} is empty and unknown)
     */
    public record Result(List<String> missing, @Nullable String error, int checked) {

        /** Whether every object was found. */
        public boolean complete() {
            return error == null && missing.isEmpty();
        }
    }

    private final ConnectionFactory connectionFactory;
    private final List<Exchange> exchanges;
    private final List<Queue> queues;
    private final Duration maxAge;
    private final String owner;

    private @Nullable Result last;
    private long checkedAt;

    /**
     * @param owner who needs these objects, for the log ({@code payment-worker})
     * @param expected the declarables the service would declare itself; only exchanges and queues are checked
     */
    public TopologyCheck(
            String owner, List<Declarable> expected, ConnectionFactory connectionFactory, Duration maxAge) {
        this.owner = owner;
        this.connectionFactory = connectionFactory;
        this.maxAge = maxAge;
        this.exchanges = expected.stream()
                .filter(Exchange.class::isInstance)
                .map(Exchange.class::cast)
                .toList();
        this.queues = expected.stream()
                .filter(Queue.class::isInstance)
                .map(Queue.class::cast)
                .toList();
    }

    /** The latest result, checked now if the last one is older than {@code maxAge}. */
    public synchronized Result current() {
        Result previous = last;
        if (previous != null && System.nanoTime() - checkedAt < maxAge.toNanos()) {
            return previous;
        }
        Result now = check();
        last = now;
        checkedAt = System.nanoTime();
        report(previous, now);
        return now;
    }

    private Result check() {
        List<String> missing = new ArrayList<>();
        try {
            Connection connection = connectionFactory.createConnection();
            for (Exchange exchange : exchanges) {
                if (!exists(connection, channel -> channel.exchangeDeclarePassive(exchange.getName()))) {
                    missing.add("exchange " + exchange.getName());
                }
            }
            for (Queue queue : queues) {
                if (!exists(connection, channel -> channel.queueDeclarePassive(queue.getName()))) {
                    missing.add("queue " + queue.getName());
                }
            }
        } catch (AmqpException | IOException e) {
            return new Result(List.of(), "RabbitMQ could not be asked: " + e.getMessage(), 0);
        }
        return new Result(List.copyOf(missing), null, exchanges.size() + queues.size());
    }

    private interface Declare {
        void on(Channel channel) throws IOException;
    }

    /** One passive declare on a channel of its own, since a miss closes the channel. */
    private static boolean exists(Connection connection, Declare declare) throws IOException {
        Channel channel = connection.createChannel(false);
        try {
            declare.on(channel);
            return true;
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException signal
                    && RabbitUtils.isPassiveDeclarationChannelClose(signal)) {
                return false;
            }
            throw e;
        } finally {
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (IOException | TimeoutException ignored) {
                    // the channel goes back to the cache or is discarded either way
                }
            }
        }
    }

    private void report(@Nullable Result previous, Result now) {
        if (now.error() != null) {
            return; // the broker being away is the rabbit health contributor's news, not this one's
        }
        boolean wasComplete = previous == null
                || previous.error() != null
                || previous.missing().isEmpty();
        if (!now.missing().isEmpty() && (wasComplete || !now.missing().equals(previous.missing()))) {
            log.error(
                    "{} cannot work: {} missing on the broker. The deployment declares Orderly's topology "
                            + "(helm/orderly/files/rabbitmq/topology.json; ./orderly up, docker compose and the Helm "
                            + "chart import it); import it again, e.g. rabbitmqctl import_definitions topology.json. "
                            + "Readiness reports DOWN until it is there.",
                    owner,
                    String.join(", ", now.missing()));
        } else if (now.missing().isEmpty()
                && previous != null
                && !previous.missing().isEmpty()) {
            log.info("{}: every exchange and queue it needs is on the broker again", owner);
        }
    }
}
