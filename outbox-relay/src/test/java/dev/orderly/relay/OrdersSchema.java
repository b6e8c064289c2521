package dev.orderly.relay;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.PostgresServer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The test database as order-api leaves it: the {@code orders} schema migrated by order-api's own Flyway migrations as
 * role {@code orderly_api}, so the relay runs with exactly the grants those migrations give {@code orderly_relay}.
 *
 * <p>Tests that must not share {@code orders.outbox} (each relay context holds the lease of every table it drains)
 * get a copy of it: same columns, identity, indexes and grants, under another name.
 */
public final class OrdersSchema {

    private static final String API_ROLE = "orderly_api";

    private static boolean migrated;

    private OrdersSchema() {}

    /** Migrates {@code orders} once per JVM. */
    public static synchronized void migrate() {
        if (migrated) {
            return;
        }
        PostgresServer postgres = OrderlyInfrastructure.postgres();
        Flyway.configure()
                .dataSource(postgres.jdbcUrl(), API_ROLE, postgres.passwordFor(API_ROLE))
                .schemas("orders")
                .defaultSchema("orders")
                .createSchemas(false)
                .placeholders(Map.of("relay_role", "orderly_relay", "order_worker_role", "orderly_order_worker"))
                .locations("classpath:db/migration")
                .load()
                .migrate();
        migrated = true;
    }

    /**
     * An empty outbox table {@code orders.<name>} shaped and granted exactly like {@code orders.outbox}; created if
     * missing, otherwise emptied.
     */
    public static OutboxTable outboxCopy(String name) {
        migrate();
        OutboxTable table = new OutboxTable("orders", name);
        JdbcClient api = api();
        api.sql("CREATE TABLE IF NOT EXISTS %s (LIKE orders.outbox INCLUDING ALL)".formatted(table))
                .update();
        api.sql("TRUNCATE %s".formatted(table)).update();
        api.sql("REVOKE ALL ON %s FROM orderly_relay, orderly_order_worker".formatted(table))
                .update();
        api.sql("GRANT SELECT, UPDATE, DELETE ON %s TO orderly_relay".formatted(table))
                .update();
        return table;
    }

    /** A data source connecting as {@code orderly_api}, the role that owns (and writes) the orders schema. */
    public static DataSource apiDataSource() {
        PostgresServer postgres = OrderlyInfrastructure.postgres();
        return new SimpleDriverDataSource(
                new org.postgresql.Driver(), postgres.jdbcUrl(), API_ROLE, postgres.passwordFor(API_ROLE));
    }

    /** SQL as {@code orderly_api}. */
    public static JdbcClient api() {
        return JdbcClient.create(apiDataSource());
    }

    /**
     * Inserts an outbox row as a producer would (without a notification), with a small JSON body.
     *
     * @return the row's id
     */
    public static long insert(OutboxTable table, UUID eventId, String eventType, String aggregateId, String payload) {
        return insert(api(), table, eventId, eventType, aggregateId, payload);
    }

    /**
     * Like {@link #insert(OutboxTable, UUID, String, String, String)}, through {@code client}: a producer inserting
     * many rows keeps one connection rather than paying a TLS handshake and a SCRAM exchange per row.
     */
    public static long insert(
            JdbcClient client, OutboxTable table, UUID eventId, String eventType, String aggregateId, String payload) {
        return client.sql("""
                        INSERT INTO %s (event_id, event_type, routing_key, aggregate_id, payload, headers)
                        VALUES (?, ?, ?, ?, ?::json, '{"event_version": 1}'::jsonb) RETURNING id
                        """.formatted(table))
                .params(List.of(eventId, eventType, eventType, aggregateId, payload))
                .query(Long.class)
                .single();
    }

    /**
     * Inserts {@code count} rows in one statement, for {@code aggregates} aggregates in turn; each body is {@code
     * {"aggregate": "aggregate-<n>", "seq": <position of the event within its aggregate>}}.
     */
    public static void insertMany(OutboxTable table, int count, String eventType, int aggregates) {
        insertMany(table, 0, count, eventType, aggregates);
    }

    /**
     * Like {@link #insertMany(OutboxTable, int, String, int)}, continuing a stream: the rows are the stream's events
     * number {@code from} to {@code from + count - 1}.
     */
    public static void insertMany(OutboxTable table, int from, int count, String eventType, int aggregates) {
        api().sql("""
                        INSERT INTO %s (event_id, event_type, routing_key, aggregate_id, payload, headers)
                        SELECT gen_random_uuid(), ?, ?, 'aggregate-' || (g %% ?),
                               json_build_object('aggregate', 'aggregate-' || (g %% ?), 'seq', g / ?),
                               '{"event_version": 1}'::jsonb
                        FROM generate_series(?, ? - 1) AS g ORDER BY g
                        """.formatted(table))
                .params(List.of(eventType, eventType, aggregates, aggregates, aggregates, from, from + count))
                .update();
    }

    /** The row's {@code published_at} is set. */
    public static boolean published(OutboxTable table, long id) {
        return api().sql("SELECT published_at IS NOT NULL FROM %s WHERE id = ?".formatted(table))
                .param(id)
                .query(Boolean.class)
                .single();
    }

    /** How many rows of {@code table} are marked published. */
    public static long publishedCount(OutboxTable table) {
        return api().sql("SELECT count(*) FROM %s WHERE published_at IS NOT NULL".formatted(table))
                .query(Long.class)
                .single();
    }

    /** How many of the table's rows are not published yet. */
    public static long unpublishedCount(OutboxTable table) {
        return api().sql("SELECT count(*) FROM %s WHERE published_at IS NULL".formatted(table))
                .query(Long.class)
                .single();
    }

    /** Every row of {@code table} as a column map, by id. */
    public static Map<String, Object> row(OutboxTable table, long id) {
        return api().sql("SELECT * FROM %s WHERE id = ?".formatted(table))
                .param(id)
                .query()
                .singleRow();
    }

    /**
     * Runs before a relay test's context starts: migrates {@code orders} and creates the outbox copies that the
     * context's {@code orderly.relay.tables} names.
     */
    public static final class Initializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

        @Override
        public void initialize(ConfigurableApplicationContext context) {
            migrate();
            String tables = context.getEnvironment().getProperty("orderly.relay.tables", "orders.outbox");
            for (String name : tables.split(",")) {
                OutboxTable table = OutboxTable.parse(name.strip());
                if (!table.qualifiedName().equals("orders.outbox")) {
                    outboxCopy(table.table());
                }
            }
        }
    }
}
