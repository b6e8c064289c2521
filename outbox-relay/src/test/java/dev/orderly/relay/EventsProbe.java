package dev.orderly.relay;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.topology.EventsExchange;
import dev.orderly.testsupport.OrderlyInfrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;

/**
 * A plain AMQP client (no Spring) on the test broker, standing in for a consumer: declares a queue bound to an
 * exchange and records every message it receives, in arrival order, with its properties.
 */
public final class EventsProbe implements AutoCloseable {

    /** One received message. */
    public record Received(String routingKey, AMQP.BasicProperties properties, byte[] body) {

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String messageId() {
            return properties.getMessageId();
        }
    }

    private final Connection connection;
    private final Channel channel;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private EventsProbe(Connection connection, Channel channel) {
        this.connection = connection;
        this.channel = channel;
    }

    /**
     * A server-named, exclusive queue bound to {@code orders.events} with {@code bindingKey}, consumed at once.
     * Declares {@code orders.events} (with its alternate exchange) exactly as the relay does, in case the relay has
     * not yet.
     */
    public static EventsProbe onEvents(String bindingKey) {
        declareEventsTopology();
        return consuming(Topology.EVENTS_EXCHANGE, bindingKey);
    }

    /** A server-named, exclusive queue bound to {@code exchange} with {@code bindingKey}, consumed at once. */
    public static EventsProbe consuming(String exchange, String bindingKey) {
        try {
            Connection connection =
                    OrderlyInfrastructure.rabbit().connectionFactory().newConnection("relay-test-probe");
            Channel channel = connection.createChannel();
            String queue = channel.queueDeclare().getQueue();
            channel.queueBind(queue, exchange, bindingKey);
            EventsProbe probe = new EventsProbe(connection, channel);
            channel.basicConsume(queue, true, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(
                        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    probe.received.add(new Received(envelope.getRoutingKey(), properties, body));
                }
            });
            return probe;
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("Could not start a probe consumer on " + exchange, e);
        }
    }

    /** Declares {@code orders.events}, {@code orders.unrouted} and its queue with the relay's own definitions. */
    public static void declareEventsTopology() {
        withChannel(channel -> {
            for (Declarable declarable : EventsExchange.declarables().getDeclarables()) {
                if (declarable instanceof Exchange exchange) {
                    channel.exchangeDeclare(
                            exchange.getName(),
                            exchange.getType(),
                            exchange.isDurable(),
                            exchange.isAutoDelete(),
                            exchange.isInternal(),
                            exchange.getArguments());
                } else if (declarable instanceof Queue queue) {
                    channel.queueDeclare(
                            queue.getName(),
                            queue.isDurable(),
                            queue.isExclusive(),
                            queue.isAutoDelete(),
                            queue.getArguments());
                }
            }
            channel.queueBind(Topology.UNROUTED_QUEUE, Topology.UNROUTED_EXCHANGE, "");
        });
    }

    /** Runs {@code action} on a fresh channel of a fresh connection, closed afterwards. */
    public static void withChannel(ChannelAction action) {
        try (Connection connection =
                        OrderlyInfrastructure.rabbit().connectionFactory().newConnection("relay-test-setup");
                Channel channel = connection.createChannel()) {
            action.run(channel);
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("Broker set-up failed: " + e.getMessage(), e);
        }
    }

    /** Takes every message currently in {@code queue} (acknowledging it), oldest first. */
    public static List<Received> drain(String queue) {
        List<Received> taken = new ArrayList<>();
        withChannel(channel -> {
            GetResponse response;
            while ((response = channel.basicGet(queue, true)) != null) {
                taken.add(
                        new Received(response.getEnvelope().getRoutingKey(), response.getProps(), response.getBody()));
            }
        });
        return taken;
    }

    /** Something to do with a channel. */
    @FunctionalInterface
    public interface ChannelAction {
        void run(Channel channel) throws IOException;
    }

    /** Everything received so far, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The message ids received so far, in arrival order (duplicates included). */
    public List<String> messageIds() {
        return received.stream().map(Received::messageId).toList();
    }

    /** The headers of a received message, as the broker delivered them. */
    public static Map<String, Object> headers(Received message) {
        Map<String, Object> headers = message.properties().getHeaders();
        return headers == null ? Map.of() : headers;
    }

    @Override
    public void close() {
        try {
            if (connection.isOpen()) {
                connection.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
