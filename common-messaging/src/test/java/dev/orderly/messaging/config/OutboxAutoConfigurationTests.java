package dev.orderly.messaging.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.messaging.consumer.ReliableListener;
import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.testsupport.TestMessageKeys;
import java.time.Clock;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The outbox is wired for any service that names its table, consumer or not (order-api produces without consuming),
 * and a table that is not a plain {@code schema.table} stops the service at startup. Wiring only: nothing here opens
 * a connection; the writer's behaviour is tested against PostgreSQL in the workers and order-api.
 */
class OutboxAutoConfigurationTests {

    static final String KEY = "orderly.messaging.signing.keys.k1=" + TestMessageKeys.key();

    final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(OutboxAutoConfiguration.class, ConsumerAutoConfiguration.class))
            .withUserConfiguration(Jdbc.class);

    @Test
    void aServiceThatNamesNoOutboxTableGetsNoWriter() {
        context.run(started -> assertThat(started).hasNotFailed().doesNotHaveBean(OutboxWriter.class));
    }

    @Test
    void aProducerThatConsumesNothingGetsTheWriterOnItsTableAndNoListener() {
        context.withPropertyValues("orderly.outbox.table=orders.outbox", KEY).run(started -> {
            assertThat(started)
                    .hasNotFailed()
                    .hasSingleBean(OutboxWriter.class)
                    .hasSingleBean(OutboxNotifier.class)
                    .doesNotHaveBean(ReliableListener.class);
            assertThat(started.getBean(OutboxProperties.class).outboxTable().qualifiedName())
                    .isEqualTo("orders.outbox");
            assertThat(started).as("no global clock from a library").doesNotHaveBean(Clock.class);
        });
    }

    @Test
    void aProducerWithoutAMessageSigningKeyDoesNotStart() {
        context.withPropertyValues("orderly.outbox.table=orders.outbox")
                .run(started -> assertThat(started)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("No message-signing key is configured")
                        .hasMessageContaining("orderly.messaging.signing.keys.<id>"));
    }

    @Test
    void aTableThatIsNotAPlainSchemaQualifiedNameStopsTheService() {
        context.withPropertyValues("orderly.outbox.table=orders.outbox;DROP", KEY)
                .run(started -> assertThat(started)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("not a plain lower-case SQL identifier"));
    }

    /** JDBC beans over a data source that is never connected to. */
    @Configuration(proxyBeanMethods = false)
    static class Jdbc {

        @Bean
        DataSource dataSource() {
            return new SimpleDriverDataSource(new org.postgresql.Driver(), "jdbc:postgresql://127.0.0.1:1/never");
        }

        @Bean
        JdbcTemplate jdbcTemplate(DataSource dataSource) {
            return new JdbcTemplate(dataSource);
        }

        @Bean
        JdbcClient jdbcClient(JdbcTemplate jdbc) {
            return JdbcClient.create(jdbc);
        }
    }
}
