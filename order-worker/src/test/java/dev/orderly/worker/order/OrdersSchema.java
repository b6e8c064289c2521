package dev.orderly.worker.order;

import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.PostgresServer;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Applies order-api's migrations of schema {@code orders} (from its jar on the test classpath) as {@code orderly_api},
 * before the worker's listeners start: the worker itself never migrates, exactly as in production.
 */
@TestConfiguration(proxyBeanMethods = false)
public class OrdersSchema {

    /** A marker bean whose creation migrated the schema; singletons are created before listener containers start. */
    public record Migrated(int applied) {}

    @Bean
    Migrated ordersSchemaMigrated() {
        PostgresServer postgres = OrderlyInfrastructure.postgres();
        Flyway flyway = Flyway.configure()
                .dataSource(postgres.jdbcUrl(), "orderly_api", postgres.passwordFor("orderly_api"))
                .schemas("orders")
                .defaultSchema("orders")
                .createSchemas(false)
                .locations("classpath:db/migration")
                .placeholders(Map.of("relay_role", "orderly_relay", "order_worker_role", "orderly_order_worker"))
                .load();
        return new Migrated(flyway.migrate().migrationsExecuted);
    }
}
