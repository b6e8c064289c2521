package dev.orderly.messaging.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.RealInfrastructure;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The republisher publishes over its own connection to a broker that speaks TLS only and requires a client
 * certificate: that connection gets the SSL bundle Boot gives the main connection factory
 * ({@code spring.rabbitmq.ssl.bundle}), or its retries and parking could never reach the broker.
 */
@SpringBootTest(classes = ProbeApplication.class)
@RealInfrastructure
class RepublisherTlsIntegrationTests {

    @Autowired
    Republisher republisher;

    @Autowired
    RabbitAdmin admin;

    @Autowired
    RabbitTemplate rabbit;

    @Test
    void republishesOverTlsWithTheClientCertificateOfTheSslBundle() {
        Queue queue = new AnonymousQueue();
        this.admin.declareQueue(queue);
        String body = "republished-" + UUID.randomUUID();
        Message message =
                MessageBuilder.withBody(body.getBytes(StandardCharsets.UTF_8)).build();

        this.republisher.publish("", queue.getName(), message);

        Message received = this.rabbit.receive(queue.getName(), 10_000);
        assertThat(received).isNotNull();
        assertThat(new String(received.getBody(), StandardCharsets.UTF_8)).isEqualTo(body);
    }
}
