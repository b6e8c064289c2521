package dev.orderly.testsupport;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * RabbitMQ 4 with management and Prometheus in a Testcontainers container, with virtual host {@code orderly} and an
 * administrator on it, and AMQP over TLS only with client certificates required, as {@link ProcessRabbit}.
 *
 * <p>Invariant: host ports are fixed when the container is created, so {@link #stop()} and {@link #start()} (a Docker
 * stop and start of the same container, same hostname and therefore same node and Mnesia) keep ports and data.
 */
final class ContainerRabbit implements RabbitBroker {

    private static final String IMAGE = "rabbitmq:4.2-management";

    private final String adminPassword = Secrets.generate();

    private final int[] hostPorts = FreePorts.pick(3);

    private final RabbitMQContainer container;

    private final PrivateCa ca;

    ContainerRabbit(PrivateCa ca) {
        this.ca = ca;
        this.container = new RabbitMQContainer(DockerImageName.parse(IMAGE))
                .withAdminUser(adminUser())
                .withAdminPassword(this.adminPassword)
                .withExposedPorts(5671, 15672, 15692)
                .withRabbitMQConfigSysctl(MountableFile.forHostPath(configuration(ca)));
        for (String file : new String[] {"ca.crt", "rabbitmq.crt", "rabbitmq.key"}) {
            this.container.withCopyFileToContainer(
                    MountableFile.forHostPath(ca.directory().resolve(file), 0644), "/etc/rabbitmq/tls/" + file);
        }
        Containers.bindPorts(this.container, this.hostPorts, 5671, 15672, 15692);
    }

    /** The TLS lines of {@link ProcessRabbit}'s rabbitmq.conf, with the container's paths. */
    private static Path configuration(PrivateCa ca) {
        Path file = ca.directory().resolve("rabbitmq-container.conf");
        try {
            Files.writeString(
                    file,
                    String.join(
                            "\n",
                            java.util.List.of(
                                    "loopback_users = none",
                                    "listeners.tcp = none",
                                    "listeners.ssl.default = 5671",
                                    "ssl_options.cacertfile = /etc/rabbitmq/tls/ca.crt",
                                    "ssl_options.certfile = /etc/rabbitmq/tls/rabbitmq.crt",
                                    "ssl_options.keyfile = /etc/rabbitmq/tls/rabbitmq.key",
                                    "ssl_options.verify = verify_peer",
                                    "ssl_options.fail_if_no_peer_cert = true",
                                    "")));
            return file;
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not write " + file, ex);
        }
    }

    void initialise() {
        this.container.start();
        rabbitmqctl("add_vhost", virtualHost());
        rabbitmqctl("set_permissions", "-p", virtualHost(), adminUser(), ".*", ".*", ".*");
        // Enabled in the official image already; enabling again is a no-op that guards against an image without it.
        Containers.exec(this.container, "rabbitmq-plugins", "enable", "rabbitmq_prometheus");
    }

    @Override
    public String host() {
        return this.container.getHost();
    }

    @Override
    public int amqpPort() {
        return this.hostPorts[0];
    }

    @Override
    public int managementPort() {
        return this.hostPorts[1];
    }

    @Override
    public int prometheusPort() {
        return this.hostPorts[2];
    }

    @Override
    public String adminPassword() {
        return this.adminPassword;
    }

    @Override
    public Path certificateAuthority() {
        return this.ca.authority();
    }

    @Override
    public PrivateCa.Pair clientCertificate() {
        return this.ca.client();
    }

    @Override
    public String rabbitmqctl(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "rabbitmqctl";
        System.arraycopy(args, 0, command, 1, args.length);
        return Containers.exec(this.container, command);
    }

    @Override
    public synchronized void stop() {
        Containers.stop(this.container);
    }

    @Override
    public synchronized void start() {
        Containers.start(this.container);
        await("RabbitMQ container accepting AMQP on " + host() + ":" + amqpPort())
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(this::acceptsAmqp);
    }

    void shutdown() {
        this.container.stop();
    }

    private boolean acceptsAmqp() {
        ConnectionFactory factory = connectionFactory();
        factory.setConnectionTimeout(2_000);
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection connection = factory.newConnection("orderly-test-readiness")) {
            return connection.isOpen();
        } catch (IOException | TimeoutException ex) {
            return false;
        }
    }
}
