package dev.orderly.messaging.config;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Applies {@link DatabaseTimeouts} to the service's connection pool: the driver's socket timeout and TCP keepalive,
 * and PostgreSQL's statement, lock and idle-in-transaction timeouts on every session it opens.
 *
 * <p>Why in the pool's sessions rather than on the roles ({@code ALTER ROLE ... SET}): the services run against
 * databases Orderly does not bootstrap (a managed PostgreSQL, a platform team's cluster), and a setting that travels
 * with the service applies there too. The failures these timeouts raise are transient to the consuming runtime
 * (lock not available, query cancelled, connection lost: a retry tier, never the parking lot) and a 503 to the API.
 *
 * <p>Invariant: every pooled PostgreSQL connection of an Orderly service has all four timeouts; an {@code options}
 * value a deployment set itself is kept, with these appended (PostgreSQL applies the last {@code -c} of a name).
 */
@AutoConfiguration
@ConditionalOnClass(name = {"com.zaxxer.hikari.HikariDataSource", "org.postgresql.Driver"})
@EnableConfigurationProperties(DatabaseTimeouts.class)
public class DatabaseTimeoutsAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DatabaseTimeoutsAutoConfiguration.class);

    @Bean
    static BeanPostProcessor orderlyDatabaseTimeouts(ObjectProvider<DatabaseTimeouts> timeouts) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof HikariDataSource pool
                        && pool.getJdbcUrl() != null
                        && pool.getJdbcUrl().startsWith("jdbc:postgresql:")) {
                    apply(timeouts.getObject(), pool);
                }
                return bean;
            }
        };
    }

    static void apply(DatabaseTimeouts timeouts, HikariDataSource pool) {
        pool.addDataSourceProperty(
                "socketTimeout", Long.toString(timeouts.socketTimeout().toSeconds()));
        pool.addDataSourceProperty("tcpKeepAlive", "true");
        Object existing = pool.getDataSourceProperties().get("options");
        String options = existing == null || existing.toString().isBlank()
                ? timeouts.serverOptions()
                : existing + " " + timeouts.serverOptions();
        pool.addDataSourceProperty("options", options);
        log.debug("Database timeouts of pool {}: socket {}, {}", pool.getPoolName(), timeouts.socketTimeout(), options);
    }
}
