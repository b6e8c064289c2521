package dev.orderly.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.AuthUser;
import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings file: every port and password once, private, kept from one run to the next. */
class StateDirectoryTests {

    @Test
    void theFirstRunWritesEveryPortAndAGeneratedPasswordForEveryRoleAndUserPrivately(@TempDir Path root)
            throws IOException {
        StateDirectory state = new StateDirectory(root);

        state.ensureSettings(Map.of("ORDERLY_PORTS", "free"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.envFile())))
                .isEqualTo("rw-------");
        Set<Integer> ports = new HashSet<>();
        StateDirectory.PORTS.keySet().forEach(key -> ports.add(state.port(key)));
        assertThat(ports).as("distinct").hasSameSizeAs(StateDirectory.PORTS.keySet());
        for (Service service : Service.values()) {
            service.databasePasswordKey()
                    .ifPresent(key -> assertThat(state.get(key)).hasSizeGreaterThanOrEqualTo(20));
            service.brokerPasswordKey()
                    .ifPresent(key -> assertThat(state.get(key)).hasSizeGreaterThanOrEqualTo(20));
        }
        assertThat(state.get(StateDirectory.SUPERUSER_PASSWORD))
                .isNotEqualTo(state.get("ORDERLY_POSTGRES_API_PASSWORD"));
    }

    @Test
    void aSingleNodeGrowsIntoAClusterWithPortsForEachNewNodeAndNeverShrinks(@TempDir Path root) throws IOException {
        StateDirectory state = new StateDirectory(root);
        state.ensureSettings(Map.of("ORDERLY_PORTS", "free"));
        assertThat(state.rabbitNodes()).isEqualTo(1);
        assertThat(state.find(StateDirectory.rabbitNodePort(2, "PORT"))).isEmpty();
        assertThat(state.amqpAddresses()).isEqualTo("127.0.0.1:" + state.port("ORDERLY_RABBITMQ_PORT"));

        StateDirectory grown = new StateDirectory(root);
        grown.ensureSettings(Map.of("ORDERLY_PORTS", "free", StateDirectory.RABBITMQ_NODES, "3"));

        assertThat(grown.rabbitNodes()).isEqualTo(3);
        assertThat(grown.port("ORDERLY_RABBITMQ_PORT"))
                .as("node 1 keeps its ports")
                .isEqualTo(state.port("ORDERLY_RABBITMQ_PORT"));
        Set<Integer> ports = new HashSet<>();
        StateDirectory.PORTS.keySet().forEach(key -> ports.add(grown.port(key)));
        for (int node = 2; node <= 3; node++) {
            StateDirectory.rabbitNodePorts(node).keySet().forEach(key -> ports.add(grown.port(key)));
        }
        assertThat(ports).as("distinct").hasSize(StateDirectory.PORTS.size() + 2 * 4);
        assertThat(grown.amqpAddresses().split(",")).hasSize(3).allMatch(address -> address.startsWith("127.0.0.1:"));
        assertThat(grown.managementUrls())
                .startsWith("http://127.0.0.1:" + grown.port("ORDERLY_RABBITMQ_MANAGEMENT_PORT") + ",")
                .contains("http://127.0.0.1:" + grown.port(StateDirectory.rabbitNodePort(3, "MANAGEMENT_PORT")));
        StateDirectory later = new StateDirectory(root);
        later.ensureSettings(Map.of("ORDERLY_PORTS", "free"));
        assertThat(later.rabbitNodes()).as("kept without the variable").isEqualTo(3);
        assertThat(Files.readString(later.envFile())).containsOnlyOnce(StateDirectory.RABBITMQ_NODES + "=3");

        assertThatThrownBy(() -> new StateDirectory(root)
                        .ensureSettings(Map.of("ORDERLY_PORTS", "free", StateDirectory.RABBITMQ_NODES, "1")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("never removes a node");
        assertThatThrownBy(() -> new StateDirectory(root)
                        .ensureSettings(Map.of("ORDERLY_PORTS", "free", StateDirectory.RABBITMQ_NODES, "2")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("must be 1, 3 or 5");
    }

    @Test
    void aStandbyAskedForGetsItsPortAndTheReplicatorsPasswordIsKeptAndIsNeverDropped(@TempDir Path root)
            throws IOException {
        StateDirectory state = new StateDirectory(root);
        state.ensureSettings(Map.of("ORDERLY_PORTS", "free"));
        assertThat(state.postgresNodes()).isEqualTo(1);
        assertThat(state.postgresHosts()).isEqualTo("127.0.0.1:" + state.port("ORDERLY_POSTGRES_PORT"));
        assertThat(state.find(StateDirectory.REPLICATOR_PASSWORD)).isEmpty();

        StateDirectory withStandby = new StateDirectory(root);
        withStandby.ensureSettings(Map.of("ORDERLY_PORTS", "free", StateDirectory.POSTGRES_STANDBY, "1"));

        assertThat(withStandby.postgresNodes()).isEqualTo(2);
        assertThat(withStandby.postgresPort(1)).isEqualTo(state.port("ORDERLY_POSTGRES_PORT"));
        assertThat(withStandby.postgresPort(2)).isNotEqualTo(withStandby.postgresPort(1));
        assertThat(withStandby.postgresHosts())
                .isEqualTo("127.0.0.1:" + withStandby.postgresPort(1) + ",127.0.0.1:" + withStandby.postgresPort(2));
        assertThat(withStandby.get(StateDirectory.REPLICATOR_PASSWORD)).matches("[A-Za-z0-9]{24}");
        assertThat(withStandby.postgresPrimary()).isEqualTo(1);
        withStandby.postgresPrimary(2);

        StateDirectory later = new StateDirectory(root);
        later.ensureSettings(Map.of("ORDERLY_PORTS", "free"));
        assertThat(later.postgresNodes()).as("kept without the variable").isEqualTo(2);
        assertThat(later.postgresPrimary()).as("a failover's record kept").isEqualTo(2);
        assertThat(later.get(StateDirectory.REPLICATOR_PASSWORD))
                .isEqualTo(withStandby.get(StateDirectory.REPLICATOR_PASSWORD));
        assertThat(Files.readString(later.envFile())).containsOnlyOnce(StateDirectory.POSTGRES_STANDBY + "=1");

        assertThatThrownBy(() -> new StateDirectory(root)
                        .ensureSettings(Map.of("ORDERLY_PORTS", "free", StateDirectory.POSTGRES_STANDBY, "0")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("never removes it");
        assertThatThrownBy(() -> new StateDirectory(root)
                        .ensureSettings(Map.of("ORDERLY_PORTS", "free", StateDirectory.POSTGRES_STANDBY, "yes")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("is 1");
    }

    @Test
    void theFirstRunWritesAMessageSigningKeyThatLaterRunsKeepAndARotatedOneIsLeftAlone(@TempDir Path root)
            throws IOException {
        StateDirectory state = new StateDirectory(root);
        state.ensureSettings(Map.of("ORDERLY_PORTS", "free"));

        String key = state.get(StateDirectory.FIRST_MESSAGE_KEY);
        assertThat(Base64.getDecoder().decode(key)).hasSize(32);
        assertThat(state.messageSigning()).containsOnlyKeys(StateDirectory.FIRST_MESSAGE_KEY);
        StateDirectory again = new StateDirectory(root);
        again.ensureSettings(Map.of("ORDERLY_PORTS", "free"));
        assertThat(again.get(StateDirectory.FIRST_MESSAGE_KEY)).isEqualTo(key);

        // Rotated by hand (docs/runbooks.md): k1 removed, k2 signing. No k1 comes back.
        Path env = state.envFile();
        String rotated = Files.readString(env).replace(StateDirectory.FIRST_MESSAGE_KEY + "=" + key + "\n", "")
                + "ORDERLY_MESSAGING_SIGNING_KEYS_K2=" + Base64.getEncoder().encodeToString(new byte[32]) + "\n"
                + "ORDERLY_MESSAGING_SIGNING_SIGNING_KEY_ID=k2\n";
        Files.writeString(env, rotated);
        StateDirectory afterRotation = new StateDirectory(root);
        afterRotation.ensureSettings(Map.of("ORDERLY_PORTS", "free"));
        assertThat(afterRotation.messageSigning())
                .containsOnlyKeys("ORDERLY_MESSAGING_SIGNING_KEYS_K2", "ORDERLY_MESSAGING_SIGNING_SIGNING_KEY_ID");
    }

    @Test
    void theFirstRunWritesASecretForEveryClientOfTheAuthServerAndAPrivateSigningKeyThatLaterRunsKeep(@TempDir Path root)
            throws IOException {
        StateDirectory state = new StateDirectory(root);
        state.ensureSettings(Map.of("ORDERLY_PORTS", "free"));

        Set<String> secrets = new HashSet<>();
        for (AuthClient client : AuthClient.values()) {
            assertThat(state.get(client.secretKey())).hasSizeGreaterThanOrEqualTo(20);
            secrets.add(state.get(client.secretKey()));
        }
        assertThat(secrets).as("each client its own").hasSize(AuthClient.values().length);
        for (AuthUser user : AuthUser.values()) {
            assertThat(state.get(user.passwordKey())).hasSizeGreaterThanOrEqualTo(20);
            secrets.add(state.get(user.passwordKey()));
        }
        assertThat(secrets).as("each user their own").hasSize(AuthClient.values().length + AuthUser.values().length);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.signingKey())))
                .isEqualTo("rw-------");
        String key = Files.readString(state.signingKey());
        assertThat(key).startsWith("-----BEGIN PRIVATE KEY-----");

        StateDirectory again = new StateDirectory(root);
        again.ensureSettings(Map.of("ORDERLY_PORTS", "free"));

        assertThat(Files.readString(again.signingKey()))
                .as("tokens stay valid across runs")
                .isEqualTo(key);
        assertThat(again.get(AuthClient.SHOP.secretKey())).isEqualTo(state.get(AuthClient.SHOP.secretKey()));
    }

    @Test
    void aLaterRunKeepsWhatTheFirstChoseWhateverTheEnvironmentSaysNow(@TempDir Path root) {
        new StateDirectory(root).ensureSettings(Map.of("ORDERLY_PORTS", "free"));
        StateDirectory first = new StateDirectory(root);
        String password = first.get("ORDERLY_POSTGRES_RELAY_PASSWORD");
        int api = first.port("ORDERLY_ORDER_API_PORT");

        StateDirectory again = new StateDirectory(root);
        again.ensureSettings(Map.of("ORDERLY_ORDER_API_PORT", "1"));

        assertThat(again.get("ORDERLY_POSTGRES_RELAY_PASSWORD")).isEqualTo(password);
        assertThat(again.port("ORDERLY_ORDER_API_PORT")).isEqualTo(api);
    }

    @Test
    void aWantedPortThatIsTakenIsReplacedByAFreeOne(@TempDir Path root) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StateDirectory state = new StateDirectory(root);

            state.ensureSettings(
                    Map.of("ORDERLY_PORTS", "free", "ORDERLY_ORDER_API_PORT", Integer.toString(taken.getLocalPort())));

            assertThat(state.port("ORDERLY_ORDER_API_PORT"))
                    .isNotEqualTo(taken.getLocalPort())
                    .isPositive();
        }
    }

    @Test
    void aRecordedPidCountsOnlyWhileItsProcessRunsTheRecordedCommand(@TempDir Path root) {
        StateDirectory state = new StateDirectory(root);
        long self = ProcessHandle.current().pid();

        state.record("self", self, "java");
        assertThat(state.alive("self")).isPresent();

        state.record("impostor", self, "rabbitmq-server");
        assertThat(state.alive("impostor")).as("the PID runs something else").isEmpty();

        state.forget("self");
        assertThat(state.alive("self")).isEmpty();
        assertThat(state.recorded("self")).isFalse();
    }
}
