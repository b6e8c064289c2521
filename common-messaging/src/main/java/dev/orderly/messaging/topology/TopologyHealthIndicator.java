package dev.orderly.messaging.topology;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health contributor {@code topology}, meant for the readiness group: UP while every exchange and queue the service
 * needs is on the broker, DOWN naming what is missing (or why the broker could not be asked).
 */
public final class TopologyHealthIndicator implements HealthIndicator {

    private final TopologyCheck check;

    public TopologyHealthIndicator(TopologyCheck check) {
        this.check = check;
    }

    @Override
    public Health health() {
        TopologyCheck.Result result = check.current();
        if (result.error() != null) {
            return Health.down().withDetail("error", result.error()).build();
        }
        if (!result.missing().isEmpty()) {
            return Health.down()
                    .withDetail("missing", result.missing())
                    .withDetail(
                            "action",
                            "import the deployment's topology (helm/orderly/files/rabbitmq/topology.json): "
                                    + "./orderly up does, docker compose's broker does at start, the Helm chart's "
                                    + "topology job does on install and upgrade")
                    .build();
        }
        return Health.up().withDetail("checked", result.checked()).build();
    }
}
