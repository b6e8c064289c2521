package dev.orderly.relay;

import dev.orderly.testsupport.ServiceModularityTests;
import java.util.Map;

/**
 * The relay's structure, by the rules every service keeps ({@link ServiceModularityTests}): one package per feature
 * ({@code publishing}, {@code lease}, {@code routes}, ...) around a root package of what they all share (the
 * properties and the dedicated connections), the features without cycles and the root depending on none of them; a
 * type public only if another package needs it; and no dependency on another service's code (order-api's jar is on
 * the test classpath for its migrations only).
 */
class ModularityTests extends ServiceModularityTests {

    ModularityTests() {
        super(
                "outbox-relay",
                "dev.orderly.relay",
                Map.of(
                        "dev.orderly.relay.OutboxRelayApplication",
                        "the JVM: the runnable jar's launcher calls its main method",
                        "dev.orderly.relay.lease.LeaseKey",
                        "the tests in dev.orderly.relay (FailoverIntegrationTests, GracefulShutdownIntegrationTests) find a table's lease holder in pg_locks by this key, as docs/outbox-relay.md tells operators to",
                        "dev.orderly.relay.health.RelayHealthIndicator",
                        "the tests in dev.orderly.relay (ReturnedPublishIntegrationTests) read the failing row from its details"));
    }
}
