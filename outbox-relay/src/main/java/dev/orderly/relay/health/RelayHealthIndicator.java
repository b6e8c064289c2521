package dev.orderly.relay.health;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.metrics.BacklogGauges;
import dev.orderly.relay.outbox.OutboxRows.Backlog;
import dev.orderly.relay.publishing.Relay;
import dev.orderly.relay.publishing.TableStatus;
import dev.orderly.relay.publishing.TableStatus.FailingRow;
import dev.orderly.relay.wakeup.OutboxNotifications;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health contributor {@code outboxRelay}, in both the liveness and the readiness group: per table, whether this
 * instance is active or standing by (for a divided table, which partitions it holds, and each one's details), what its
 * drainer is doing, the backlog, and the row that holds the table back after repeated failures, if any.
 *
 * <p>It reports DOWN only when a drainer thread has died while the relay runs: a restart is then the cure, which is
 * what a failing liveness probe brings. A repeatedly failing row is a detail, not DOWN: restarting or un-readying the
 * relay would not publish that row (the same row fails on every instance), and a not-ready relay would hold up the
 * rollout of the very fix that unblocks it; the row is made loud instead by an ERROR log, the gauge {@code
 * orderly.outbox.failing} and its alert. A broker that is down shows through the circuit breaker's own contributor.
 */
public final class RelayHealthIndicator implements HealthIndicator {

    private final Relay relay;
    private final OutboxNotifications notifications;
    private final BacklogGauges backlog;
    private final String instanceId;

    public RelayHealthIndicator(
            Relay relay, OutboxNotifications notifications, BacklogGauges backlog, String instanceId) {
        this.relay = relay;
        this.notifications = notifications;
        this.backlog = backlog;
        this.instanceId = instanceId;
    }

    @Override
    public Health health() {
        boolean dead = false;
        Map<OutboxTable, List<TableStatus>> byTable = new LinkedHashMap<>();
        for (TableStatus status : relay.statuses()) {
            dead |= relay.isRunning() && !status.alive() && status.state() != TableStatus.State.STARTING;
            byTable.computeIfAbsent(status.table(), table -> new ArrayList<>()).add(status);
        }
        Map<String, Object> tables = new LinkedHashMap<>();
        byTable.forEach((table, partitions) -> tables.put(table.qualifiedName(), details(table, partitions)));
        Health.Builder health = dead ? Health.down() : Health.up();
        return health.withDetail("instance", instanceId)
                .withDetail("listening", notifications.listening())
                .withDetail("tables", tables)
                .build();
    }

    /**
     * A table's details: its drainer's, if it is not divided; otherwise which partitions this instance holds, and
     * each partition's drainer under {@code partition}. Either way, the table's backlog.
     */
    private Map<String, Object> details(OutboxTable table, List<TableStatus> partitions) {
        Map<String, Object> details;
        if (partitions.size() == 1) {
            details = details(partitions.getFirst());
        } else {
            details = new LinkedHashMap<>();
            List<Integer> held = partitions.stream()
                    .filter(TableStatus::active)
                    .map(status -> status.partition().index())
                    .toList();
            details.put("role", held.isEmpty() ? "standby" : "active");
            details.put("partitions", partitions.size());
            details.put("active", held);
            Map<String, Object> each = new LinkedHashMap<>();
            partitions.forEach(
                    status -> each.put(Integer.toString(status.partition().index()), details(status)));
            details.put("partition", each);
        }
        partitions.stream()
                .map(TableStatus::disagreement)
                .filter(Objects::nonNull)
                .findFirst()
                .ifPresent(disagreement -> details.put("disagreement", disagreement));
        Backlog measured = backlog.latest(table);
        if (measured.rows() >= 0) {
            details.put("backlog", measured.rows());
            details.put("oldestAgeSeconds", Math.round(measured.oldestAgeSeconds() * 10) / 10.0);
        }
        return details;
    }

    private Map<String, Object> details(TableStatus status) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", status.active() ? "active" : "standby");
        details.put("state", status.state().name());
        details.put("alive", status.alive());
        details.put("consecutiveFailures", status.consecutiveFailures());
        FailingRow failing = status.failing();
        if (failing != null) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", failing.id());
            row.put("eventId", failing.eventId().toString());
            row.put("eventType", failing.eventType());
            row.put("attempts", failing.attempts());
            row.put("lastError", failing.lastError());
            details.put("failingRow", row);
        }
        return details;
    }
}
