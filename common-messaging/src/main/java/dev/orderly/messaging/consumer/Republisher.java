package dev.orderly.messaging.consumer;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes a message and waits for the broker to take responsibility for it: a publisher confirm that is an ack, with
 * no return (the message was {@code mandatory}, so an unroutable one comes back as a return <em>and</em> an ack; that
 * is not a success).
 *
 * <p>Why a dedicated connection: a consumer must only ack a delivery after its copy in the retry tier or parking lot is
 * safe, so this template needs correlated confirms and returns whatever {@code spring.rabbitmq.publisher-*} says, and a
 * publisher blocked by a broker resource alarm must not block the consuming connection's acks. The connection is made
 * by the RabbitMQ client factory Boot built for the main connection factory, so host, credentials, TLS (the SSL bundle
 * and its client certificate) and timeouts are exactly the main connection's.
 *
 * <p>Invariant: {@link #publish} returns normally only if the broker confirmed the message as routed to a queue;
 * otherwise it throws {@link RepublishException} saying what happened, and the caller must not ack the original.
 */
public final class Republisher implements AutoCloseable {

    private final CachingConnectionFactory connectionFactory;
    private final RabbitTemplate template;
    private final Duration confirmTimeout;

    public Republisher(CachingConnectionFactory connectionFactory, Duration confirmTimeout) {
        connectionFactory.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.CORRELATED);
        connectionFactory.setPublisherReturns(true);
        this.connectionFactory = connectionFactory;
        this.template = new RabbitTemplate(connectionFactory);
        this.template.setMandatory(true);
        this.confirmTimeout = confirmTimeout;
    }

    /**
     * Publishes {@code message} to {@code exchange} with {@code routingKey} and waits for its confirm.
     *
     * @throws RepublishException if the broker nacked or returned it, or did not confirm within the timeout
     */
    public void publish(String exchange, String routingKey, Message message) {
        CorrelationData correlation = new CorrelationData(UUID.randomUUID().toString());
        String where = "exchange '" + exchange + "' with routing key '" + routingKey + "'";
        try {
            template.send(exchange, routingKey, message, correlation);
            CorrelationData.Confirm confirm =
                    correlation.getFuture().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
            ReturnedMessage returned = correlation.getReturned();
            if (returned != null) {
                throw new RepublishException("The broker could not route the message to " + where + " ("
                        + returned.getReplyCode() + " " + returned.getReplyText() + "): is the topology declared?");
            }
            if (!confirm.ack()) {
                throw new RepublishException(
                        "The broker refused the message published to " + where + ": " + confirm.reason());
            }
        } catch (TimeoutException e) {
            throw new RepublishException(
                    "The broker did not confirm the message published to " + where + " within " + confirmTimeout, e);
        } catch (ExecutionException e) {
            throw new RepublishException(
                    "Publishing to " + where + " failed: " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RepublishException("Interrupted while waiting for the confirm of a publish to " + where, e);
        } catch (org.springframework.amqp.AmqpException e) {
            throw new RepublishException("Publishing to " + where + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connectionFactory.destroy();
    }

    /** A republish the broker did not confirm; the original delivery must not be acknowledged. */
    public static final class RepublishException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        RepublishException(String message) {
            super(message);
        }

        RepublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
