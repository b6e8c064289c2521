package dev.orderly.api.backpressure;

import dev.orderly.api.OrderApiProperties;
import dev.orderly.messaging.config.OutboxProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Watches the outbox backlog (unpublished rows and the age of the oldest) and refuses new orders while either is over
 * its limit, so that an API whose relay or broker is down answers 503 with {@code Retry-After} instead of piling up
 * work it cannot deliver.
 *
 * <p>The backlog is sampled on a schedule, not per request: a request only reads the latest sample. The sample's
 * count stops at {@code max-backlog + 1}, so measuring a huge backlog costs no more than measuring the limit, and
 * both queries run on the outbox's partial index of unpublished rows.
 *
 * <p>Until the first sample, and while sampling fails (the database is down, in which case placing an order fails
 * anyway), the last known state stands.
 */
@Component
public class OutboxBacklog {

    private static final Logger log = LoggerFactory.getLogger(OutboxBacklog.class);

    private final JdbcClient jdbc;
    private final OrderApiProperties.Backpressure settings;
    private final String sampleSql;
    private volatile Sample latest = new Sample(0, 0);

    /** One measurement: unpublished rows (counted up to the limit + 1) and the oldest one's age in seconds. */
    record Sample(long backlog, double oldestAgeSeconds) {}

    OutboxBacklog(JdbcClient jdbc, OrderApiProperties properties, OutboxProperties outbox, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.settings = properties.backpressure();
        String table = outbox.outboxTable().qualifiedName();
        this.sampleSql = """
                SELECT
                  (SELECT count(*) FROM (SELECT 1 FROM %1$s WHERE published_at IS NULL LIMIT :cap) AS unpublished)
                    AS backlog,
                  coalesce((SELECT extract(epoch FROM clock_timestamp() - created_at) FROM %1$s
                            WHERE published_at IS NULL ORDER BY id LIMIT 1), 0) AS oldest_age
                """.formatted(table);
        Gauge.builder("orderly.api.outbox.backlog", this, backlog -> backlog.latest.backlog())
                .description("Unpublished outbox rows as order-api last sampled them (counted up to max-backlog + 1)")
                .register(meters);
        Gauge.builder("orderly.api.outbox.oldest.age", this, backlog -> backlog.latest.oldestAgeSeconds())
                .description("Age of the oldest unpublished outbox row as order-api last sampled it")
                .baseUnit("seconds")
                .register(meters);
        Gauge.builder("orderly.api.backpressure.active", this, backlog -> backlog.refusal() == null ? 0 : 1)
                .description("1 while POST /orders is refused because of the outbox backlog")
                .register(meters);
    }

    /** Takes a new sample. Scheduled every {@code orderly.api.backpressure.sample-interval}. */
    void sample() {
        try {
            latest = jdbc.sql(sampleSql)
                    .param("cap", (long) settings.maxBacklog() + 1)
                    .query((rs, row) -> new Sample(rs.getLong("backlog"), rs.getDouble("oldest_age")))
                    .single();
        } catch (DataAccessException e) {
            log.warn("Could not sample the outbox backlog; keeping the last sample {}: {}", latest, e.getMessage());
        }
    }

    /**
     * Returns if a new order may be placed now.
     *
     * @throws BackpressureException if the last sample is over a limit
     */
    public void requireCapacity() {
        String refusal = refusal();
        if (refusal != null) {
            throw new BackpressureException(refusal, settings.retryAfter());
        }
    }

    private @Nullable String refusal() {
        if (!settings.enabled()) {
            return null;
        }
        Sample sample = latest;
        if (sample.backlog() > settings.maxBacklog()) {
            return ("Orders are not being accepted for the moment: more than %d events are waiting to be published. "
                            + "Nothing was stored; retry after the Retry-After delay.")
                    .formatted(settings.maxBacklog());
        }
        Duration oldest = Duration.ofMillis((long) (sample.oldestAgeSeconds() * 1000));
        if (oldest.compareTo(settings.maxOldestAge()) > 0) {
            return ("Orders are not being accepted for the moment: the oldest event waiting to be published is %ds "
                            + "old (limit %ds). Nothing was stored; retry after the Retry-After delay.")
                    .formatted(oldest.toSeconds(), settings.maxOldestAge().toSeconds());
        }
        return null;
    }
}
