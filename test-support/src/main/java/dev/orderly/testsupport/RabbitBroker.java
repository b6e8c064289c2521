package dev.orderly.testsupport;

import com.rabbitmq.client.ConnectionFactory;

/**
 * A running RabbitMQ with the management and Prometheus plugins, a virtual host {@code orderly} and an administrator
 * with full permissions on it.
 *
 * <p>Invariant: host, ports and credentials never change for the life of the JVM, across {@link #stop()} and
 * {@link #start()} too, and durable queues with their persistent messages survive a stop and start.
 */
public sealed interface RabbitBroker permits ProcessRabbit, ContainerRabbit {

    /** The host to connect to (a loopback address in process mode). */
    String host();

    /** The AMQP 0-9-1 port. */
    int amqpPort();

    /** The management plugin's HTTP port. */
    int managementPort();

    /** The Prometheus plugin's HTTP port ({@code /metrics}). */
    int prometheusPort();

    /** The virtual host services use: always {@code orderly}. */
    default String virtualHost() {
        return "orderly";
    }

    /** The administrator, tagged {@code administrator} with configure, write and read on {@link #virtualHost()}. */
    default String adminUser() {
        return "orderly-admin";
    }

    /** The administrator's password, generated for this JVM. */
    String adminPassword();

    /** A new connection factory for the administrator on {@link #virtualHost()}; each call returns a fresh one. */
    default ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host());
        factory.setPort(amqpPort());
        factory.setVirtualHost(virtualHost());
        factory.setUsername(adminUser());
        factory.setPassword(adminPassword());
        return factory;
    }

    /**
     * Runs {@code rabbitmqctl} against this broker and returns its standard output.
     *
     * @throws IllegalStateException with the command's output if it exits with a non-zero code
     */
    String rabbitmqctl(String... args);

    /** Stops the broker gracefully; does nothing if it is already stopped. */
    void stop();

    /** Starts the broker again on the same ports with the same data and waits until it accepts AMQP connections. */
    void start();

    /** {@link #stop()} then {@link #start()}. */
    default void restart() {
        stop();
        start();
    }
}
