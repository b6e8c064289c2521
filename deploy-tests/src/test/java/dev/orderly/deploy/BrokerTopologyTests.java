package dev.orderly.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.contracts.Topology;
import dev.orderly.messaging.consumer.MessagingProperties;
import dev.orderly.messaging.topology.DeploymentTopology;
import dev.orderly.messaging.topology.DeploymentTopology.DomainSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The broker topology every deployment imports ({@code helm/orderly/files/rabbitmq/topology.json}: docker compose's
 * broker at start, {@code ./orderly up} before any service, the Helm chart's pre-install/pre-upgrade job) is exactly
 * what the workers, as configured by their own {@code application.yaml}, verify and would declare themselves: every
 * work queue bound for the event types of {@link Topology#SUBSCRIPTIONS}, every retry tier, every parking lot.
 *
 * <p>After changing a worker's retry tiers or delivery limit, or the catalogue, rewrite the file with
 * {@code ./mvnw -q -B -pl deploy-tests -am verify -Dtest=BrokerTopologyTests -Dorderly.topology.write=true}, and import
 * it on every broker (the services only verify).
 */
class BrokerTopologyTests {

    static final Path TOPOLOGY = Tool.ROOT.resolve("helm/orderly/files/rabbitmq/topology.json");

    static final Map<String, String> WORKERS = Map.of(
            Topology.ORDER, "order-worker", Topology.PAYMENT, "payment-worker", Topology.SHIPPING, "shipping-worker");

    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Test
    void theDeploymentsTopologyIsWhatTheWorkersAsConfiguredNeed() throws IOException {
        Map<String, DomainSettings> domains = new LinkedHashMap<>();
        for (String domain : Topology.DOMAINS) {
            MessagingProperties worker = workerSettings(WORKERS.get(domain));
            assertThat(worker.domain()).isEqualTo(domain);
            domains.put(
                    domain,
                    new DomainSettings(worker.retry().delays(), worker.retry().deliveryLimit()));
        }
        Map<String, Object> expected = DeploymentTopology.definitions("orderly", domains);
        String rendered = JSON.writeValueAsString(expected) + "\n";

        if (Boolean.getBoolean("orderly.topology.write")) {
            Files.createDirectories(TOPOLOGY.getParent());
            Files.writeString(TOPOLOGY, rendered);
        }

        assertThat(Files.exists(TOPOLOGY)).as("%s exists", TOPOLOGY).isTrue();
        JsonNode committed = JSON.readTree(Files.readString(TOPOLOGY));
        assertThat(committed)
                .as(
                        "%s is out of date with the workers' settings: rewrite it with ./mvnw -q -B -pl deploy-tests -am "
                                + "verify -Dtest=BrokerTopologyTests -Dorderly.topology.write=true, then import it on every "
                                + "broker",
                        Tool.ROOT.relativize(TOPOLOGY))
                .isEqualTo(JSON.readTree(rendered));
    }

    @Test
    void everyEventOfTheCatalogueIsBoundToEveryWorkQueueThatConsumesIt() throws IOException {
        JsonNode bindings = JSON.readTree(Files.readString(TOPOLOGY)).get("bindings");
        Topology.SUBSCRIPTIONS.forEach((eventType, domains) -> domains.forEach(domain -> assertThat(bindings)
                .as("%s bound for %s", Topology.workQueue(domain), eventType)
                .anySatisfy(binding -> {
                    assertThat(binding.get("source").asString()).isEqualTo(Topology.EVENTS_EXCHANGE);
                    assertThat(binding.get("destination").asString()).isEqualTo(Topology.workQueue(domain));
                    assertThat(binding.get("routing_key").asString()).isEqualTo(eventType);
                })));
    }

    /** A worker's orderly.messaging settings as Spring Boot binds them from its application.yaml, nothing else. */
    private static MessagingProperties workerSettings(String worker) throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        // Only the file: neither this machine's environment variables nor system properties.
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        Path yaml = Tool.ROOT.resolve(worker).resolve("src/main/resources/application.yaml");
        new YamlPropertySourceLoader()
                .load(worker, new FileSystemResource(yaml))
                .forEach(environment.getPropertySources()::addLast);
        return Binder.get(environment)
                .bind("orderly.messaging", MessagingProperties.class)
                .orElseThrow(() -> new IllegalStateException("no orderly.messaging in " + yaml));
    }
}
