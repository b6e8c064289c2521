package dev.orderly.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one table of per-service facts ({@link Service}, which ./orderly, the system tests and the benchmarks read)
 * agrees with what the deployment creates: every role bootstrap.sql makes with the psql variable it takes the password
 * from, every broker user of definitions.json, every module; and docker compose and the Helm chart give each service
 * that role and user, with the password under the name the table derives (ORDERLY_POSTGRES_<ROLE>_PASSWORD,
 * ORDERLY_RABBITMQ_<USER>_PASSWORD).
 */
class ServiceTableTests {

    @Test
    void bootstrapSqlCreatesEveryServicesRoleWithItsPasswordVariable() throws IOException {
        String bootstrap = Files.readString(Tool.ROOT.resolve("deploy/postgres/bootstrap.sql"));

        for (Service service : Service.pipeline()) {
            String role = service.databaseRole().orElseThrow();
            assertThat(bootstrap)
                    .as("role %s of %s", role, service.serviceName())
                    .contains(role)
                    .contains(":'" + service.passwordVariable().orElseThrow() + "'");
        }
    }

    @Test
    void definitionsJsonHasEveryServicesBrokerUserAndNoOtherServiceUser() throws IOException {
        JsonNode definitions = JsonMapper.builder()
                .build()
                .readTree(Files.readString(Tool.ROOT.resolve("deploy/rabbitmq/definitions.json")));
        List<String> users = new ArrayList<>();
        definitions.path("users").forEach(user -> users.add(user.path("name").asString()));
        List<String> serviceUsers = Service.all().stream()
                .flatMap(service -> service.brokerUser().stream())
                .toList();

        assertThat(users).containsAll(serviceUsers);
        assertThat(users)
                .filteredOn(user -> !serviceUsers.contains(user))
                .as("the operators' users, which are no service's")
                .containsExactlyInAnyOrder("orderly-admin", "orderly-monitoring");
    }

    @Test
    void everyServiceIsAModuleAndNamesPortsRolesAndUsersOfItsOwn() {
        assertThat(Service.all())
                .allSatisfy(service -> assertThat(
                                Tool.ROOT.resolve(service.serviceName()).resolve("pom.xml"))
                        .exists());
        assertThat(new HashSet<>(
                        Service.all().stream().map(Service::portVariable).toList()))
                .hasSize(Service.values().length);
        List<Integer> ports = Service.all().stream()
                .flatMap(service -> java.util.stream.Stream.concat(
                        java.util.stream.Stream.of(service.defaultPort()), service.defaultManagementPort().stream()))
                .toList();
        assertThat(new HashSet<>(ports))
                .as("every default port, management ports included")
                .hasSameSizeAs(ports);
        assertThat(Service.ORDER_API.actuatorPortVariable())
                .as("order-api's actuator is on a port of its own")
                .isEqualTo("ORDERLY_ORDER_API_MANAGEMENT_PORT");
        assertThat(Service.pipeline())
                .filteredOn(service -> service != Service.ORDER_API)
                .allSatisfy(
                        service -> assertThat(service.actuatorPortVariable()).isEqualTo(service.portVariable()));
        assertThat(new HashSet<>(Service.databaseRoles()))
                .hasSize(Service.pipeline().size());
        assertThat(Service.pipeline())
                .as("every service of the pipeline has a database role")
                .allSatisfy(service -> assertThat(service.databaseRole()).isPresent());
        assertThat(Service.AUTH_SERVER.databaseRole()).isEmpty();
        assertThat(Service.AUTH_SERVER.brokerUser()).isEmpty();
    }

    @Test
    void composeGivesEachServiceItsRoleAndUserWithThePasswordsTheTableNames() throws IOException {
        Map<String, Object> services =
                map(new Yaml().load(Files.readString(Tool.ROOT.resolve("docker-compose.yaml"))), "services");
        String envExample = Files.readString(Tool.ROOT.resolve(".env.example"));
        Map<String, Object> postgres = map(map(services, "postgres"), "environment");
        Map<String, Object> rabbitmq = map(map(services, "rabbitmq"), "environment");

        for (Service service : Service.pipeline()) {
            Map<String, Object> environment = map(map(services, service.serviceName()), "environment");
            String databasePassword = service.databasePasswordKey().orElseThrow();
            assertThat(environment)
                    .as(service.serviceName())
                    .containsEntry(
                            "SPRING_DATASOURCE_USERNAME", service.databaseRole().orElseThrow());
            assertThat(String.valueOf(environment.get("SPRING_DATASOURCE_PASSWORD")))
                    .startsWith("${" + databasePassword + ":");
            assertThat(String.valueOf(postgres.get(databasePassword)))
                    .as("bootstrap's password of %s", service.databaseRole().orElseThrow())
                    .startsWith("${" + databasePassword + ":");
            assertThat(envExample).containsPattern("(?m)^" + databasePassword + "=$");
            if (service.brokerUser().isPresent()) {
                String brokerPassword = service.brokerPasswordKey().orElseThrow();
                assertThat(environment)
                        .containsEntry(
                                "SPRING_RABBITMQ_USERNAME", service.brokerUser().get());
                assertThat(String.valueOf(environment.get("SPRING_RABBITMQ_PASSWORD")))
                        .startsWith("${" + brokerPassword + ":");
                assertThat(String.valueOf(rabbitmq.get(brokerPassword)))
                        .as("the broker's password of %s", service.brokerUser().get())
                        .startsWith("${" + brokerPassword + ":");
                assertThat(envExample).containsPattern("(?m)^" + brokerPassword + "=$");
            } else {
                assertThat(environment).doesNotContainKeys("SPRING_RABBITMQ_USERNAME", "SPRING_RABBITMQ_PASSWORD");
            }
        }
    }

    @Test
    void theHelmChartGivesEachServiceItsRoleAndUser() throws IOException {
        Map<String, Object> services =
                map(new Yaml().load(Files.readString(Tool.ROOT.resolve("helm/orderly/values.yaml"))), "services");

        assertThat(services)
                .as("the pipeline's services, and no bundled identity provider: production brings its own")
                .containsOnlyKeys(
                        Service.pipeline().stream().map(Service::serviceName).toList());
        for (Service service : Service.pipeline()) {
            Map<String, Object> values = map(services, service.serviceName());
            assertThat(values)
                    .as(service.serviceName())
                    .containsEntry("dbUser", service.databaseRole().orElseThrow())
                    .containsEntry("rabbitmqUser", service.brokerUser().orElse(""));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("%s in %s", key, parent.keySet()).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }
}
