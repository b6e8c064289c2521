package dev.orderly.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.AuthClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yaml is valid (Debian's docker-compose validates it without an engine), refuses to start without
 * the passwords of .env, inlines none, and makes every service wait for healthy dependencies; the auth-server is
 * reachable from this host only, takes its key and secrets from .env, and every service knows its JWK set.
 */
class DockerComposeTests {

    private static final Path COMPOSE = Tool.ROOT.resolve("docker-compose.yaml");
    private static final List<String> SERVICES =
            List.of("order-api", "outbox-relay", "order-worker", "payment-worker", "shipping-worker");

    @Test
    void composeFileIsValidWithTheVariablesOfEnvExample(@TempDir Path scratch) throws IOException {
        Path env = scratch.resolve(".env");
        Files.writeString(
                env, Files.readString(Tool.ROOT.resolve(".env.example")).replaceAll("(?m)=$", "=not-a-real-password"));

        Tool.Result result = composeConfig(Tool.ROOT, env);

        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void theEnvFileOrderlyUpGeneratesIsPrivateHasASecretForEveryPasswordAndValidatesTheComposeFile(
            @TempDir Path scratch) throws IOException {
        Path env = scratch.resolve(".env");

        Tool.Result generated = composeEnv(env);

        assertThat(generated.exitCode()).as(generated.output()).isZero();
        assertThat(Files.getPosixFilePermissions(env))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(env)) {
            if (!line.startsWith("#") && line.contains("=")) {
                values.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        List<String> passwords = Files.readAllLines(Tool.ROOT.resolve(".env.example")).stream()
                .filter(line -> line.matches("[A-Z0-9_]+="))
                .map(line -> line.substring(0, line.length() - 1))
                .toList();
        assertThat(passwords).isNotEmpty();
        assertThat(values).containsKeys(passwords.toArray(String[]::new));
        passwords.forEach(name -> assertThat(values.get(name)).as(name).hasSizeGreaterThanOrEqualTo(20));
        assertThat(passwords.stream().map(values::get).distinct())
                .as("each secret its own")
                .hasSameSizeAs(passwords);

        Tool.Result config = composeConfig(Tool.ROOT, env);
        assertThat(config.exitCode()).as(config.output()).isZero();

        String before = Files.readString(env);
        composeEnv(env);
        assertThat(Files.readString(env)).as("a second run keeps the secrets").isEqualTo(before);
    }

    /**
     * Maven refuses a reactor whose modules' poms are missing, so the image build needs every module of the root pom:
     * the sources of those the services are built from, at least the pom of the others.
     */
    @Test
    void theImageRecipeCopiesEveryModuleOfTheBuild() throws IOException {
        String dockerfile = Files.readString(Tool.ROOT.resolve("deploy/docker/Dockerfile"));
        java.util.regex.Matcher module = java.util.regex.Pattern.compile("<module>([^<]+)</module>")
                .matcher(Files.readString(Tool.ROOT.resolve("pom.xml")));
        List<String> modules = new java.util.ArrayList<>();
        while (module.find()) {
            modules.add(module.group(1));
        }
        assertThat(modules).contains("console", "common-overview", "common-security");
        for (String name : modules) {
            assertThat(dockerfile)
                    .as("deploy/docker/Dockerfile copies module %s", name)
                    .containsAnyOf(
                            "COPY " + name + "/ " + name + "/", "COPY " + name + "/pom.xml " + name + "/pom.xml");
        }
        for (dev.orderly.testsupport.Service service : dev.orderly.testsupport.Service.values()) {
            assertThat(dockerfile)
                    .as("the sources of %s", service.serviceName())
                    .contains("COPY " + service.serviceName() + "/ " + service.serviceName() + "/");
        }
    }

    @Test
    void theBrokerImageIsPinnedToOneMinorVersion() throws IOException {
        // A floating tag (rabbitmq:4-management) takes in whatever minor comes next; 4.3 changed how quorum queues
        // count deliveries towards x-delivery-limit, which the parking lot's backstop depends on.
        assertThat(String.valueOf(map(map(compose(), "services"), "rabbitmq").get("image")))
                .matches("rabbitmq:\\d+\\.\\d+(\\.\\d+)?-management");
    }

    @Test
    void theKubernetesBrokerExampleIsPinnedToTheSameMinorVersion() throws IOException {
        Map<String, Object> cluster =
                new Yaml().load(Files.readString(Tool.ROOT.resolve("deploy/kubernetes/rabbitmqcluster.yaml")));

        assertThat(map(cluster, "spec").get("image"))
                .isEqualTo(map(map(compose(), "services"), "rabbitmq").get("image"));
    }

    @Test
    void theBrokerImportsTheDeploymentsTopologyBeforeItReportsHealthy() throws IOException {
        assertThat(String.valueOf(map(map(compose(), "services"), "rabbitmq").get("volumes")))
                .contains("./helm/orderly/files/rabbitmq/topology.json:/etc/rabbitmq/topology.json:ro");
        String start = Files.readString(Tool.ROOT.resolve("deploy/rabbitmq/start-with-passwords.sh"));
        assertThat(start.indexOf("import_definitions /etc/rabbitmq/topology.json"))
                .as("imported before the health check's file appears")
                .isPositive()
                .isLessThan(start.indexOf("touch /tmp/orderly-users-ready"));
    }

    @Test
    void everyConnectionToTheServersIsTlsWithCertificatesTheOneShotServiceMakesFirst() throws IOException {
        Map<String, Object> services = map(compose(), "services");
        Map<String, Object> tls = map(services, "tls");
        assertThat(String.valueOf(tls.get("entrypoint")))
                .contains("/orderly/make-certificates.sh /tls postgres rabbitmq");
        assertThat(String.valueOf(tls.get("volumes")))
                .contains("./deploy/tls/make-certificates.sh:/orderly/make-certificates.sh:ro");
        for (String server : List.of("postgres", "rabbitmq")) {
            assertThat(map(map(services, server), "depends_on"))
                    .as(server)
                    .containsEntry("tls", Map.of("condition", "service_completed_successfully"));
            assertThat(String.valueOf(map(services, server).get("volumes")))
                    .as(server)
                    .contains("tls:/orderly-tls:ro");
        }
        assertThat(String.valueOf(map(services, "postgres").get("command")))
                .contains("ssl=on")
                .contains("ssl_key_file=/orderly-tls/postgres.key")
                .contains("hba_file=/etc/postgresql/pg_hba.conf");
        List<String> hba = Files.readAllLines(Tool.ROOT.resolve("deploy/postgres/pg_hba.conf")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("\\s+")[0])
                .toList();
        assertThat(hba).as("TCP with TLS only: no host line").containsExactly("local", "hostssl");
        assertThat(Files.readString(Tool.ROOT.resolve("deploy/rabbitmq/rabbitmq.conf")))
                .contains("listeners.tcp = none")
                .contains("listeners.ssl.default = 5671")
                .contains("ssl_options.verify = verify_peer")
                .contains("ssl_options.fail_if_no_peer_cert = true");
        for (String name : SERVICES) {
            Map<String, Object> service = map(services, name);
            Map<String, Object> environment = map(service, "environment");
            assertThat(String.valueOf(environment.get("SPRING_DATASOURCE_URL")))
                    .as(name)
                    .endsWith("?sslmode=verify-full&sslrootcert=/orderly-tls/ca.crt");
            assertThat(environment)
                    .as(name)
                    .containsEntry("SPRING_RABBITMQ_PORT", "5671")
                    .containsEntry("SPRING_RABBITMQ_SSL_ENABLED", "true")
                    .containsEntry("SPRING_RABBITMQ_SSL_BUNDLE", "rabbitmq")
                    .containsEntry(
                            "SPRING_SSL_BUNDLE_PEM_RABBITMQ_KEYSTORE_PRIVATE_KEY", "file:/orderly-tls/client.key");
            assertThat(String.valueOf(service.get("volumes"))).as(name).contains("tls:/orderly-tls:ro");
        }
    }

    @Test
    void composeRefusesToStartWithoutThePasswords(@TempDir Path scratch) throws IOException {
        Path empty = scratch.resolve(".env");
        Files.writeString(empty, "");

        Tool.Result result = composeConfig(scratch, empty);

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.output()).contains("set it in .env");
    }

    @Test
    void noPasswordIsWrittenIntoTheComposeFile() throws IOException {
        Map<String, Object> services = map(compose(), "services");
        for (Map.Entry<String, Object> service : services.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> environment = (Map<String, Object>)
                    ((Map<String, Object>) service.getValue()).getOrDefault("environment", Map.of());
            environment.forEach((name, value) -> {
                if (name.contains("PASSWORD")) {
                    assertThat(String.valueOf(value))
                            .as("%s of %s", name, service.getKey())
                            .startsWith("${");
                }
            });
        }
    }

    @Test
    void everyServiceHasAHealthCheckAndWaitsForHealthyDependencies() throws IOException {
        Map<String, Object> services = map(compose(), "services");
        for (String name : List.of("postgres", "rabbitmq", "auth-server")) {
            assertThat(map(services, name)).as(name).containsKey("healthcheck");
        }
        for (String name : SERVICES) {
            Map<String, Object> service = map(services, name);
            assertThat(service).as(name).containsKey("healthcheck");
            Map<String, Object> dependsOn = map(service, "depends_on");
            assertThat(dependsOn).as(name).containsKey("postgres");
            if (!name.equals("order-api")) {
                assertThat(dependsOn).as("%s needs the broker", name).containsKey("rabbitmq");
            }
            dependsOn
                    .values()
                    .forEach(condition ->
                            assertThat(condition).as(name).isEqualTo(Map.of("condition", "service_healthy")));
        }
        assertThat(map(map(services, "prometheus"), "depends_on")).containsOnlyKeys(SERVICES);
    }

    @Test
    void orderApiPublishesItsApiOnlyAndIsCheckedOnItsManagementPort() throws IOException {
        Map<String, Object> orderApi = map(map(compose(), "services"), "order-api");

        assertThat(String.valueOf(orderApi.get("ports")))
                .as("published on loopback unless ORDERLY_API_BIND says otherwise")
                .isEqualTo("[${ORDERLY_API_BIND:-127.0.0.1}:8080:8080]");
        assertThat(map(orderApi, "environment"))
                .containsEntry("MANAGEMENT_SERVER_PORT", "8081")
                .containsEntry("MANAGEMENT_SERVER_ADDRESS", "0.0.0.0");
        assertThat(String.valueOf(map(orderApi, "healthcheck").get("test")))
                .contains("/dev/tcp/127.0.0.1/8081")
                .contains("/actuator/health/readiness");
        assertThat(Files.readString(Tool.ROOT.resolve("deploy/prometheus/prometheus.yml")))
                .as("Prometheus scrapes order-api's management port")
                .contains("order-api:8081");
    }

    @Test
    void theAuthServerListensForThisHostOnlyTakesEverySecretFromDotEnvAndEveryServiceKnowsItsJwkSet()
            throws IOException {
        Map<String, Object> services = map(compose(), "services");
        Map<String, Object> authServer = map(services, "auth-server");
        Map<String, Object> environment = map(authServer, "environment");
        String envExample = Files.readString(Tool.ROOT.resolve(".env.example"));

        assertThat(String.valueOf(authServer.get("ports")))
                .as("published on loopback only")
                .isEqualTo("[127.0.0.1:9000:8080]");
        List<String> secrets = new ArrayList<>(List.of("ORDERLY_AUTH_SIGNING_KEY"));
        AuthClient.clientIds().forEach(id -> secrets.add(AuthClient.withId(id).secretKey()));
        for (String secret : secrets) {
            assertThat(String.valueOf(environment.get(secret))).as(secret).startsWith("${" + secret + ":?");
            assertThat(envExample).containsPattern("(?m)^" + secret + "=$");
        }
        String issuer = String.valueOf(environment.get("ORDERLY_AUTH_ISSUER"));
        for (String name : SERVICES) {
            Map<String, Object> service = map(services, name);
            assertThat(map(service, "environment"))
                    .as(name)
                    .containsEntry("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI", issuer + "/oauth2/jwks");
            assertThat(map(service, "depends_on")).as(name).containsKey("auth-server");
        }
    }

    @Test
    void everyProducerAndConsumerTakesTheMessageSigningKeyFromDotEnvAndTheRelayNone() throws IOException {
        Map<String, Object> services = map(compose(), "services");
        String key = "ORDERLY_MESSAGING_SIGNING_KEYS_K1";

        assertThat(Files.readString(Tool.ROOT.resolve(".env.example"))).containsPattern("(?m)^" + key + "=$");
        for (String name : SERVICES) {
            Map<String, Object> environment = map(map(services, name), "environment");
            if (name.equals("outbox-relay")) {
                assertThat(environment.keySet()).as(name).noneMatch(variable -> variable.contains("SIGNING"));
                continue;
            }
            assertThat(String.valueOf(environment.get(key))).as(name).startsWith("${" + key + ":?");
            assertThat(environment)
                    .as(name)
                    .containsKeys("ORDERLY_MESSAGING_SIGNING_KEYS_K2", "ORDERLY_MESSAGING_SIGNING_SIGNING_KEY_ID");
        }
    }

    @Test
    void theSigningKeyComposeEnvGeneratesReachesTheAuthServerAsPem(@TempDir Path scratch) {
        Path env = scratch.resolve(".env");
        Tool.Result generated = composeEnv(env);
        assertThat(generated.exitCode()).as(generated.output()).isZero();

        Tool.Result config = composeConfig(Tool.ROOT, env, "config");
        assertThat(config.exitCode()).as(config.output()).isZero();

        Map<String, Object> resolved = new Yaml().load(config.output());
        String key = String.valueOf(map(map(map(resolved, "services"), "auth-server"), "environment")
                .get("ORDERLY_AUTH_SIGNING_KEY"));
        assertThat(key)
                .as("compose turns the .env line's \\n back into line breaks")
                .startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("\n-----END PRIVATE KEY-----\n")
                .doesNotContain("\\n");
        assertThat(key.lines())
                .hasSizeGreaterThan(20)
                .allSatisfy(line -> assertThat(line).hasSizeLessThanOrEqualTo(64));
    }

    @Test
    void prometheusScrapesEveryServiceAndTheBrokerWithTheSharedRules() throws IOException {
        Map<String, Object> prometheus =
                new Yaml().load(Files.readString(Tool.ROOT.resolve("deploy/prometheus/prometheus.yml")));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) prometheus.get("scrape_configs");
        assertThat(jobs)
                .extracting(job -> job.get("job_name"))
                .containsAll(SERVICES)
                .contains("rabbitmq");
        assertThat(prometheus.get("rule_files")).isEqualTo(List.of("/etc/prometheus/rules/orderly-rules.yml"));
        assertThat(String.valueOf(map(map(compose(), "services"), "prometheus").get("volumes")))
                .contains("./helm/orderly/files/prometheus/orderly-rules.yml:/etc/prometheus/rules/orderly-rules.yml");
    }

    /** {@code docker-compose --env-file ENV -f docker-compose.yaml config -q}, run in {@code directory}. */
    private static Tool.Result composeConfig(Path directory, Path env) {
        return composeConfig(directory, env, "config", "-q");
    }

    /** {@code docker-compose --env-file ENV -f docker-compose.yaml ARGS}, run in {@code directory}. */
    private static Tool.Result composeConfig(Path directory, Path env, String... args) {
        List<String> command =
                new ArrayList<>(List.of("docker-compose", "--env-file", env.toString(), "-f", COMPOSE.toString()));
        command.addAll(List.of(args));
        return Tool.run(directory, "docker-compose", 60, command.toArray(String[]::new));
    }

    /** {@code ./orderly compose-env ENV}, as a user runs it. */
    private static Tool.Result composeEnv(Path env) {
        return Tool.run(
                Tool.ROOT,
                "bash",
                60,
                "env",
                "ORDERLY_BUILD=never",
                "bash",
                Tool.ROOT.resolve("orderly").toString(),
                "compose-env",
                env.toString());
    }

    private static Map<String, Object> compose() throws IOException {
        return new Yaml().load(Files.readString(COMPOSE));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("%s in %s", key, parent.keySet()).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }
}
