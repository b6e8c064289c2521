package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * When {@link DevInfrastructure} points an application at the private servers, and what it refuses, checked without
 * starting any server (every refusal comes before the servers would start).
 */
class DevInfrastructureTests {

    private final DevInfrastructureEnvironmentPostProcessor postProcessor =
            new DevInfrastructureEnvironmentPostProcessor();

    @Test
    void anApplicationWithoutDevInfrastructureAmongItsSourcesIsLeftAsItIs() {
        StandardEnvironment environment = environment(Map.of());

        this.postProcessor.postProcessEnvironment(environment, new SpringApplication(Plain.class));

        assertThat(environment
                        .getPropertySources()
                        .contains(DevInfrastructureEnvironmentPostProcessor.PROPERTY_SOURCE_NAME))
                .as("no application name, no role, and still nothing refused: it did not look")
                .isFalse();
    }

    @Test
    void anApplicationThatNamesNoServiceIsRefusedNamingTheServices() {
        assertThatIllegalStateException()
                .isThrownBy(() -> postProcess(Map.of("spring.application.name", "inventory-service")))
                .withMessageContaining("'inventory-service' is not a service")
                .withMessageContaining("order-api")
                .withMessageContaining("outbox-relay");
        assertThatIllegalStateException()
                .isThrownBy(() -> postProcess(Map.of()))
                .withMessageContaining("needs spring.application.name");
    }

    @Test
    void aServiceWhoseDatasourceUsernameIsNoBootstrapRoleIsRefusedAsUnderRealInfrastructure() {
        assertThatIllegalStateException()
                .isThrownBy(() -> postProcess(
                        Map.of("spring.application.name", "order-api", "spring.datasource.username", "postgres")))
                .withMessageContaining("DevInfrastructure for order-api found spring.datasource.username=postgres")
                .withMessageContaining("not a role bootstrap.sql creates");
        assertThatIllegalStateException()
                .isThrownBy(() -> postProcess(Map.of("spring.application.name", "payment-worker")))
                .withMessageContaining("needs spring.datasource.username")
                .withMessageContaining("--spring.datasource.username=orderly_payments");
    }

    @Test
    void servicesWithABrokerUserDeclareTheirTopologyOnTheBareBrokerAndTheRelayChecksNoRoutes() {
        RabbitBroker rabbit = broker(15_999);

        assertThat(DevInfrastructure.bareBroker(Service.ORDER_API, rabbit)).isEmpty();
        assertThat(DevInfrastructure.bareBroker(Service.PAYMENT_WORKER, rabbit))
                .containsExactly(Map.entry("orderly.messaging.topology.declare", true));
        assertThat(DevInfrastructure.bareBroker(Service.OUTBOX_RELAY, rabbit))
                .containsExactly(
                        Map.entry("orderly.messaging.topology.declare", true),
                        Map.entry("orderly.relay.routes.verify", false),
                        Map.entry("orderly.relay.routes.management-url", "http://127.0.0.1:15999"));
    }

    private void postProcess(Map<String, Object> properties) {
        this.postProcessor.postProcessEnvironment(
                environment(properties), new SpringApplication(Plain.class, DevInfrastructure.class));
    }

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return environment;
    }

    /** A broker that is never started: only its ports are read. */
    private static RabbitBroker broker(int managementPort) {
        return NeverStartedRabbit.at(managementPort, "unused");
    }

    static class Plain {}
}
