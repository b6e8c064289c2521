package dev.orderly.messaging.config;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Refuses to start a service that talks to RabbitMQ without its own broker login.
 *
 * <p>Spring Boot falls back to {@code guest}/{@code guest}, and Orderly's services used to fall back to the
 * administrator; both let a deployment that forgot a setting run with rights it must not have (or fail later, on the
 * first connection, in a log nobody reads). Every service has a user of its own in the broker's definitions, so the
 * login is required: unset, the service stops at start-up with a message naming the variable to set.
 *
 * <p>Invariant: no Orderly service connects to RabbitMQ with a user it was not explicitly given.
 */
@AutoConfiguration(beforeName = "org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.amqp.rabbit.connection.ConnectionFactory")
public class BrokerLoginAutoConfiguration {

    static final String USERNAME = "spring.rabbitmq.username";
    static final String PASSWORD = "spring.rabbitmq.password";

    /**
     * Checked before any bean is created (a bean factory post-processor runs first), so a missing login is what the
     * service fails on, not a database or broker connection attempted before it.
     */
    @Bean
    static BeanFactoryPostProcessor orderlyBrokerLoginCheck(Environment environment) {
        return beanFactory -> BrokerLogin.require(environment);
    }

    /** The service's broker login, as configured. */
    record BrokerLogin(String username) {

        static BrokerLogin require(Environment environment) {
            String application = environment.getProperty("spring.application.name", "this service");
            String username = environment.getProperty(USERNAME);
            if (username == null || username.isBlank()) {
                throw new IllegalStateException(("No RabbitMQ user is set for %s: set SPRING_RABBITMQ_USERNAME "
                                + "(spring.rabbitmq.username) to its own broker user, such as orderly-%s in "
                                + "deploy/rabbitmq/definitions.json. There is no default: an Orderly service never "
                                + "falls back to guest or to an administrator.")
                        .formatted(application, application.replace("outbox-", "")));
            }
            String password = environment.getProperty(PASSWORD);
            if (password == null || password.isEmpty()) {
                throw new IllegalStateException(("No RabbitMQ password is set for %s (user %s): set "
                                + "SPRING_RABBITMQ_PASSWORD (spring.rabbitmq.password).")
                        .formatted(application, username));
            }
            return new BrokerLogin(username);
        }
    }
}
