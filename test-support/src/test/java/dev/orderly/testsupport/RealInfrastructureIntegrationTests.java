package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A Boot application context under {@link RealInfrastructure}: its own {@code DataSource} and {@code RabbitTemplate}
 * reach the real servers as the configured service role, whatever else the configuration says.
 */
@SpringBootTest(
        classes = RealInfrastructureIntegrationTests.TestApplication.class,
        properties = {
            "spring.datasource.username=orderly_api",
            "spring.datasource.url=jdbc:postgresql://wrong-host:1/wrong",
            "spring.flyway.user=orderly_payments",
            "spring.rabbitmq.port=1",
            "spring.security.oauth2.resourceserver.jwt.public-key-location=file:/nowhere.pem"
        })
@RealInfrastructure
class RealInfrastructureIntegrationTests {

    @Autowired
    private JdbcTemplate jdbc;

    @Autowired
    private RabbitTemplate rabbitTemplate;

    @Autowired
    private AmqpAdmin amqpAdmin;

    @Autowired
    private CachingConnectionFactory connectionFactory;

    @Autowired
    private Environment environment;

    @Test
    void dataSourceConnectsToOrderlyAsTheServicesOwnRole() {
        assertThat(this.jdbc.queryForObject("select current_user", String.class))
                .isEqualTo("orderly_api");
        assertThat(this.jdbc.queryForObject("select current_database()", String.class))
                .isEqualTo("orderly");
        String table = "spring_probe_" + UUID.randomUUID().toString().substring(0, 8);
        this.jdbc.execute("create table " + table + " (id int)");
        assertThat(this.jdbc.queryForObject(
                        "select table_schema from information_schema.tables where table_name = ?", String.class, table))
                .as("the role's search_path puts unqualified tables in its own schema")
                .isEqualTo("orders");
    }

    @Test
    void rabbitTemplateRoundTripsAMessageOnTheOrderlyVirtualHost() {
        assertThat(this.connectionFactory.getVirtualHost()).isEqualTo("orderly");
        assertThat(this.connectionFactory.getPort())
                .isEqualTo(OrderlyInfrastructure.rabbit().amqpPort());
        String queue = this.amqpAdmin.declareQueue(new Queue("", false, true, true));
        this.rabbitTemplate.convertAndSend("", queue, "order-7 placed");
        assertThat(this.rabbitTemplate.receiveAndConvert(queue, 10_000)).isEqualTo("order-7 placed");
    }

    @Test
    void flywayIsPointedAtTheSameDatabaseWithItsOwnRolesPassword() {
        PostgresServer postgres = OrderlyInfrastructure.postgres();
        assertThat(this.environment.getProperty("spring.flyway.url")).isEqualTo(postgres.jdbcUrl());
        assertThat(this.environment.getProperty("spring.flyway.password"))
                .isEqualTo(postgres.passwordFor("orderly_payments"));
        assertThat(this.environment.getProperty("spring.datasource.password"))
                .isEqualTo(postgres.passwordFor("orderly_api"));
    }

    @Test
    void aResourceServerChecksTokensAgainstTheTestKeyWhateverTheConfigurationSays() {
        assertThat(this.environment.getProperty(TestKeys.PUBLIC_KEY_LOCATION)).isEqualTo(TestKeys.publicKeyLocation());
    }

    /** The smallest Boot application: auto-configuration only, as a service's own tests would have. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TestApplication {}
}
