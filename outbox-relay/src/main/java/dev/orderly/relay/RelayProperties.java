package dev.orderly.relay;

import dev.orderly.contracts.Topology;
import dev.orderly.messaging.outbox.OutboxTable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the outbox relay, under {@code orderly.relay}. Every one has a default that is safe to run with.
 *
 * <p>Invariant: the table list is non-empty, free of duplicates and made of plain schema-qualified identifiers (checked
 * by {@link #outboxTables()} at start-up, so a typo stops the relay instead of silently draining nothing).
 *
 * @param tables the outbox tables to drain, schema-qualified ({@code orders.outbox}, {@code payments.outbox}, ...)
 * @param partitions into how many partitions each table is divided, by a hash of the aggregate id, each with a lease
 *     of its own: that many instances publish a table side by side, each aggregate's events in order. Every instance
 *     of a table must say the same (one that differs publishes nothing while the others run); 1, the default, is one
 *     active instance per table
 * @param exchange where rows are published; {@code orders.events} (the default) comes with the deployment's topology
 *     (the relay declares it, with its alternate exchange, only where {@code orderly.messaging.topology.declare=true});
 *     any other name must already exist (tests use this to provoke returns and channel errors)
 * @param instanceId names this instance in logs, in {@code pg_stat_activity.application_name} of its lease and
 *     listen connections, and in health details; empty means host name and process id. Instances sharing a table's
 *     partitions tell each other apart by it, so each needs its own
 * @param publish batches, the bound on unconfirmed messages, and how long a confirm may take
 * @param wakeup how new rows are noticed: notifications and the fallback poll
 * @param lease how the one active instance per table is chosen and kept
 * @param failures how failed publishes back off and when a row is flagged as repeatedly failing
 * @param retention how long published rows are kept and how they are deleted
 * @param metrics how often the backlog gauges are measured
 * @param routes how the relay checks that every work queue an event must reach is bound for it
 */
@ConfigurationProperties("orderly.relay")
@Validated
public record RelayProperties(
        @DefaultValue("orders.outbox") @NotEmpty List<@NotBlank String> tables,
        @DefaultValue("1") @Min(1) @Max(MAX_PARTITIONS) int partitions,
        @DefaultValue(Topology.EVENTS_EXCHANGE) @NotBlank String exchange,
        @DefaultValue("") String instanceId,
        @DefaultValue @Valid Publish publish,
        @DefaultValue @Valid Wakeup wakeup,
        @DefaultValue @Valid Lease lease,
        @DefaultValue @Valid Failures failures,
        @DefaultValue @Valid Retention retention,
        @DefaultValue @Valid Metrics metrics,
        @DefaultValue @Valid Routes routes) {

    /** The most partitions {@link #partitions()} may divide a table into. */
    public static final int MAX_PARTITIONS = 64;

    /**
     * @param batchSize the most rows read and published per round; one round is one read, one channel and one update
     * @param maxInFlight the most messages published but not yet confirmed at any moment
     * @param confirmTimeout how long the broker may take to confirm one message before the row counts as failed (it
     *     stays unpublished and goes out again, possibly as a duplicate); also bounds how long shutdown waits
     * @param markLinger how long rows confirmed while a run goes on may wait to be marked published together (zero:
     *     marked as their confirms arrive); rows confirmed but not yet marked when the relay dies go out again
     * @param skippedRowTimeout how long a run looks again for a row its reads skipped because its transaction had not
     *     committed yet (it took its id before a row already read); after that the row goes out at the next run's
     *     start; zero leaves every such row to the next run (tables divided into partitions always do)
     */
    public record Publish(
            @DefaultValue("500") @Positive @Max(10_000) int batchSize,
            @DefaultValue("500") @Positive @Max(10_000) int maxInFlight,
            @DefaultValue("10s") Duration confirmTimeout,
            @DefaultValue("50ms") Duration markLinger,
            @DefaultValue("2s") Duration skippedRowTimeout) {}

    /**
     * @param pollInterval how often each table is read even without a notification: the most a lost notification
     *     (or a row written by something other than {@code OutboxWriter}) waits; each idle poll is one index probe
     * @param reconnectBackoffMax the longest pause between attempts to re-open the LISTEN connection
     */
    public record Wakeup(
            @DefaultValue("500ms") Duration pollInterval,
            @DefaultValue("15s") Duration reconnectBackoffMax) {}

    /**
     * @param retryInterval how often a standby instance tries to take a table over: bounds the failover time once
     *     PostgreSQL has released the dead holder's lock
     * @param checkTimeout how long the check that the lease is still held may take before the lease counts as lost
     * @param verifyInterval how long one such check stands for: the active instance checks before reading a batch only
     *     if its last check is older, and may publish for up to this long after its session broke (the zombie
     *     window: duplicates, never a gap); zero checks before every batch
     */
    public record Lease(
            @DefaultValue("1s") Duration retryInterval,
            @DefaultValue("2s") Duration checkTimeout,
            @DefaultValue("100ms") Duration verifyInterval) {}

    /**
     * @param backoffInitial the pause after a table's first failed batch; it doubles with each further failure
     * @param backoffMax the longest pause between attempts
     * @param flagAfterAttempts from this many failed attempts on, a row is reported as repeatedly failing (ERROR log,
     *     gauge {@code orderly.outbox.failing}, health detail)
     */
    public record Failures(
            @DefaultValue("250ms") Duration backoffInitial,
            @DefaultValue("30s") Duration backoffMax,
            @DefaultValue("5") @Positive int flagAfterAttempts) {}

    /**
     * @param keep how long a published row is kept (for inspection and replay) before it is deleted
     * @param interval how often the active instance deletes expired rows
     * @param batchSize how many rows one delete statement removes, keeping each transaction short
     */
    public record Retention(
            @DefaultValue("24h") Duration keep,
            @DefaultValue("1m") Duration interval,
            @DefaultValue("1000") @Positive int batchSize) {}

    /**
     * @param refreshInterval how often backlog and oldest age are measured (two index probes per table)
     * @param backlogCountLimit the backlog is counted up to this many rows, so measuring a huge backlog stays cheap
     */
    public record Metrics(
            @DefaultValue("5s") Duration refreshInterval,
            @DefaultValue("1000000") @Positive int backlogCountLimit) {}

    /**
     * @param verify whether events of the catalogue's types are held back while one of the work queues they must reach
     *     is not bound for them on {@code orders.events} (or the relay cannot tell). Turning it off re-opens the gap
     *     it closes: an event confirmed by the queues that exist and lost for one that does not
     * @param managementUrl the RabbitMQ management API the bindings are read from, with the relay's own broker user
     *     (which needs the {@code management} tag); for a cluster, each node's, comma-separated: the one that answered
     *     last is asked first, the others when it does not answer
     * @param checkInterval how often the bindings are read; also how long a deleted binding can go unnoticed
     * @param timeout how long one read may take
     */
    public record Routes(
            @DefaultValue("true") boolean verify,

            @DefaultValue("http://127.0.0.1:15672") @NotEmpty
            List<@NotBlank String> managementUrl,

            @DefaultValue("5s") Duration checkInterval,
            @DefaultValue("3s") Duration timeout) {}

    /**
     * The configured tables, parsed.
     *
     * @throws IllegalArgumentException naming the offending entry if one is not {@code schema.table} or is listed twice
     */
    public List<OutboxTable> outboxTables() {
        Set<OutboxTable> parsed = new LinkedHashSet<>();
        for (String name : tables) {
            OutboxTable table = OutboxTable.parse(name.strip());
            if (!parsed.add(table)) {
                throw new IllegalArgumentException(
                        "orderly.relay.tables lists %s twice; list each outbox table once".formatted(table));
            }
        }
        return List.copyOf(parsed);
    }

    /** {@link #instanceId()}, or host name and process id when it is empty. */
    public String effectiveInstanceId() {
        if (!instanceId.isBlank()) {
            return instanceId.strip();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
