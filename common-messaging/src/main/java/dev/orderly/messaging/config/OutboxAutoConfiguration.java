package dev.orderly.messaging.config;

import dev.orderly.contracts.EventCodec;
import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.messaging.signing.MessageKeys;
import dev.orderly.messaging.signing.MessageSigner;
import dev.orderly.messaging.signing.SigningProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The outbox of a service that produces events ({@code orderly.outbox.table} set): the {@link OutboxWriter} its
 * transactions append events with, the {@link OutboxNotifier} that wakes the relay after they commit, and the
 * {@link EventCodec}. Each is replaceable by a bean of the service's own.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration"
        })
@ConditionalOnClass(JdbcClient.class)
@ConditionalOnProperty(prefix = "orderly.outbox", name = "table")
@EnableConfigurationProperties({OutboxProperties.class, SigningProperties.class})
public class OutboxAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    EventCodec eventCodec() {
        return new EventCodec();
    }

    @Bean
    @ConditionalOnMissingBean
    MessageKeys orderlyMessageKeys(SigningProperties properties) {
        return properties.messageKeys();
    }

    @Bean
    @ConditionalOnMissingBean
    MessageSigner orderlyMessageSigner(MessageKeys keys) {
        return new MessageSigner(keys);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    OutboxNotifier outboxNotifier(JdbcTemplate jdbc) {
        return new OutboxNotifier(jdbc);
    }

    @Bean
    @ConditionalOnMissingBean
    OutboxWriter outboxWriter(
            JdbcClient jdbc,
            EventCodec codec,
            OutboxProperties properties,
            MessageSigner signer,
            OutboxNotifier notifier) {
        return new OutboxWriter(jdbc, codec, properties.outboxTable(), signer, notifier);
    }
}
