package dev.orderly.relay.routes;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health contributor {@code routes}, for the readiness group only: DOWN while a route of the catalogue is missing on
 * {@code orders.events} (its events are held back) or the relay cannot check. Not for liveness: restarting the relay
 * would not declare a queue.
 */
final class RoutesHealthIndicator implements HealthIndicator {

    private final @Nullable RouteCheck check;

    RoutesHealthIndicator(@Nullable RouteCheck check) {
        this.check = check;
    }

    @Override
    public Health health() {
        RouteCheck check = this.check;
        if (check == null) {
            return Health.up()
                    .withDetail("checked", false)
                    .withDetail(
                            "reason",
                            "orderly.relay.routes.verify=false, or the relay publishes to an exchange other than "
                                    + "orders.events")
                    .build();
        }
        RouteCheck.Snapshot snapshot = check.snapshot();
        if (snapshot == null) {
            return Health.down().withDetail("reason", "not checked yet").build();
        }
        if (snapshot.error() != null) {
            return Health.down()
                    .withDetail("error", snapshot.error())
                    .withDetail("held", "every event type of the catalogue")
                    .build();
        }
        if (check.isStale(snapshot)) {
            return Health.down()
                    .withDetail("reason", "last checked at " + snapshot.at())
                    .build();
        }
        if (!snapshot.missing().isEmpty()) {
            return Health.down()
                    .withDetail("missing", snapshot.missing())
                    .withDetail(
                            "action",
                            "import the deployment's topology (helm/orderly/files/rabbitmq/topology.json); the "
                                    + "events of these types are held back meanwhile")
                    .build();
        }
        return Health.up().withDetail("checkedAt", snapshot.at().toString()).build();
    }
}
