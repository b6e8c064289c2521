package dev.orderly.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one table of per-service facts ({@link Service}, which ./orderly, the system tests and the benchmarks read)
 * agrees with what the deployment creates: every role bootstrap.sql makes with the psql variable it takes the password
 * from, every broker user of definitions.json, every module.
 */
class ServiceTableTests {

    @Test
    void bootstrapSqlCreatesEveryServicesRoleWithItsPasswordVariable() throws IOException {
        String bootstrap = Files.readString(Tool.ROOT.resolve("deploy/postgres/bootstrap.sql"));

        for (Service service : Service.values()) {
            assertThat(bootstrap)
                    .as("role %s of %s", service.databaseRole(), service.serviceName())
                    .contains(service.databaseRole())
                    .contains(":'" + service.passwordVariable() + "'");
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
        assertThat(new HashSet<>(
                        Service.all().stream().map(Service::defaultPort).toList()))
                .hasSize(Service.values().length);
        assertThat(new HashSet<>(Service.databaseRoles())).hasSize(Service.values().length);
    }
}
