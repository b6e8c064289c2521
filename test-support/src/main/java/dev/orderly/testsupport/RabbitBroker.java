package dev.orderly.testsupport;

import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A running RabbitMQ with the management and Prometheus plugins, a virtual host {@code orderly} and an administrator
 * with full permissions on it. AMQP is TLS only (no plaintext listener), and the broker accepts only a client that
 * presents a certificate of the {@link PrivateCa} ({@code verify_peer}, {@code fail_if_no_peer_cert}); the login is
 * still the user's password.
 *
 * <p>Invariant: host, ports and credentials never change for the life of the JVM, across {@link #stop()} and
 * {@link #start()} too, and durable queues with their persistent messages survive a stop and start.
 */
public sealed interface RabbitBroker permits ProcessRabbit, ContainerRabbit {

    /** The host to connect to (a loopback address in process mode). */
    String host();

    /** The AMQP 0-9-1 port: AMQP over TLS (amqps). */
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

    /** The certificate of the CA that signed the broker's and the clients' certificates. */
    Path certificateAuthority();

    /** The client certificate (and key) a client presents to the broker. */
    PrivateCa.Pair clientCertificate();

    /**
     * A TLS context that presents {@link #clientCertificate()} and trusts {@link #certificateAuthority()} only, made by
     * Spring Boot's PEM SSL bundle, as a service's {@code spring.ssl.bundle.pem} makes its own.
     */
    default SSLContext sslContext() {
        return PrivateCa.sslContext(clientCertificate(), certificateAuthority());
    }

    /** The SSL bundle every service names for RabbitMQ: its client certificate and key, and the CA it trusts. */
    String SSL_BUNDLE = "rabbitmq";

    /**
     * The Spring Boot properties that give a service's broker connections TLS through SSL bundle {@value #SSL_BUNDLE}:
     * {@link #clientCertificate()} presented, the broker's certificate and host name verified against
     * {@link #certificateAuthority()}; the same keys {@code ./orderly up}, compose and Helm set. For a test that starts
     * a service itself (as command-line arguments), what {@link RealInfrastructure} gives a test's context.
     */
    default Map<String, String> springSslProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        String bundle = "spring.ssl.bundle.pem." + SSL_BUNDLE;
        properties.put(
                bundle + ".keystore.certificate", "file:" + clientCertificate().certificate());
        properties.put(
                bundle + ".keystore.private-key", "file:" + clientCertificate().privateKey());
        properties.put(bundle + ".truststore.certificate", "file:" + certificateAuthority());
        properties.put("spring.rabbitmq.ssl.enabled", "true");
        properties.put("spring.rabbitmq.ssl.bundle", SSL_BUNDLE);
        return properties;
    }

    /**
     * A new connection factory for the administrator on {@link #virtualHost()}, over TLS with the client certificate,
     * the broker's certificate and host name verified; each call returns a fresh one.
     */
    default ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host());
        factory.setPort(amqpPort());
        factory.setVirtualHost(virtualHost());
        factory.setUsername(adminUser());
        factory.setPassword(adminPassword());
        factory.useSslProtocol(sslContext());
        factory.enableHostnameVerification();
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
