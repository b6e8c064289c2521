package dev.orderly.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Helm chart lints strictly and renders, with the default and the production values, manifests that keep the
 * chart's promises: probes, resources and non-root everywhere, one autoscaler per workload, no password inlined,
 * Kubernetes' recommended labels, and the same alert rules docker compose mounts.
 */
class HelmChartTests {

    private static final Path CHART = Tool.ROOT.resolve("helm/orderly");
    private static final String DEFAULT = "default";
    private static final String PRODUCTION = "values-production.yaml";
    /** What a user gives as auth.issuerUri, which has no default; values-production.yaml has its own example. */
    private static final String ISSUER = "https://idp.example/realms/orderly";

    private static final String PRODUCTION_ISSUER = "https://keycloak.example.com/realms/orderly";

    /** What a user gives as tls.existingSecret, which has no default either. */
    private static final String TLS_SECRET = "orderly-client-tls";

    /**
     * Linted as a user installs it: with the values that have no default, auth.issuerUri and tls.existingSecret (helm
     * lint takes no values of its own, so a copy of the chart carries them).
     */
    @Test
    void chartLintsStrictly(@TempDir Path copy) throws IOException {
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path values = copy.resolve("values.yaml");
        String withIssuer = Files.readString(values)
                .replace("  issuerUri: \"\"\n", "  issuerUri: " + ISSUER + "\n")
                .replace("  existingSecret: \"\"\n", "  existingSecret: " + TLS_SECRET + "\n");
        assertThat(withIssuer).contains(ISSUER).contains("existingSecret: " + TLS_SECRET);
        Files.writeString(values, withIssuer);

        LintResult lint = new Helm(copy).lint().strict().call();

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void withoutAnIssuerTheChartRefusesToRenderNamingTheValue() {
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("orderly")
                        .withNamespace("orders")
                        .set("tls.existingSecret", TLS_SECRET)
                        .call())
                .hasMessageContaining("auth.issuerUri is required")
                .hasMessageContaining("never runs open");
    }

    @Test
    void withoutATlsSecretTheChartRefusesToRenderNamingTheValue() {
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("orderly")
                        .withNamespace("orders")
                        .set("auth.issuerUri", ISSUER)
                        .call())
                .hasMessageContaining("tls.existingSecret is required")
                .hasMessageContaining("TLS only");
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void everyServiceConnectsWithTlsAndVerifiesTheServersAgainstTheSecretsCa(String values) {
        for (Map<String, Object> deployment : ofKind(render(values), "Deployment")) {
            Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
            Map<String, Object> container = list(pod, "containers").getFirst();
            String name = (String) container.get("name");
            assertThat(list(pod, "volumes"))
                    .as(name)
                    .contains(Map.of("name", "tls", "secret", Map.of("secretName", TLS_SECRET, "defaultMode", 0440)));
            assertThat(list(container, "volumeMounts"))
                    .as(name)
                    .contains(Map.of("name", "tls", "mountPath", "/orderly-tls", "readOnly", true));
            Map<Object, Object> env = new java.util.HashMap<>();
            list(container, "env").forEach(variable -> env.put(variable.get("name"), variable.get("value")));
            assertThat((String) env.get("SPRING_DATASOURCE_URL"))
                    .as(name)
                    .endsWith("?sslmode=verify-full&sslrootcert=/orderly-tls/ca.crt");
            if (env.containsKey("SPRING_RABBITMQ_USERNAME")) {
                assertThat(env)
                        .as(name)
                        .containsEntry("SPRING_RABBITMQ_PORT", "5671")
                        .containsEntry("SPRING_RABBITMQ_SSL_ENABLED", "true")
                        .containsEntry("SPRING_RABBITMQ_SSL_BUNDLE", "rabbitmq")
                        .containsEntry(
                                "SPRING_SSL_BUNDLE_PEM_RABBITMQ_KEYSTORE_CERTIFICATE", "file:/orderly-tls/tls.crt")
                        .containsEntry(
                                "SPRING_SSL_BUNDLE_PEM_RABBITMQ_KEYSTORE_PRIVATE_KEY", "file:/orderly-tls/tls.key")
                        .containsEntry(
                                "SPRING_SSL_BUNDLE_PEM_RABBITMQ_TRUSTSTORE_CERTIFICATE", "file:/orderly-tls/ca.crt");
            }
        }
    }

    /**
     * A broker cluster outside Kubernetes: every service with a broker user gets every node, to be tried in a random
     * order; by default (one host, such as a RabbitmqCluster's Service) none does.
     */
    @Test
    void theNodesOfABrokerClusterGoToEveryServiceThatConnectsShuffled(@TempDir Path directory) throws IOException {
        String nodes = "rabbit-1.example:5671,rabbit-2.example:5671,rabbit-3.example:5671";
        // A values file, as a user gives a list (helm-java's set passes a string).
        Path cluster = Files.writeString(
                directory.resolve("cluster.yaml"), "rabbitmq:\n  addresses: [" + nodes.replace(",", ", ") + "]\n");
        List<Map<String, Object>> clustered =
                parse(template(DEFAULT).withValuesFile(cluster).call());
        int connecting = 0;
        for (Map<String, Object> deployment : ofKind(clustered, "Deployment")) {
            Map<Object, Object> env = env(deployment);
            if (env.containsKey("SPRING_RABBITMQ_USERNAME")) {
                connecting++;
                assertThat(env)
                        .as((String) env.get("SPRING_RABBITMQ_USERNAME"))
                        .containsEntry("SPRING_RABBITMQ_ADDRESSES", nodes)
                        .containsEntry("SPRING_RABBITMQ_ADDRESS_SHUFFLE_MODE", "random");
            } else {
                assertThat(env).doesNotContainKey("SPRING_RABBITMQ_ADDRESSES");
            }
        }
        assertThat(connecting).as("the workers and the relay").isEqualTo(4);
        for (Map<String, Object> deployment : ofKind(render(DEFAULT), "Deployment")) {
            assertThat(env(deployment)).doesNotContainKey("SPRING_RABBITMQ_ADDRESSES");
        }
    }

    private static Map<Object, Object> env(Map<String, Object> deployment) {
        Map<String, Object> container = list(map(map(map(deployment, "spec"), "template"), "spec"), "containers")
                .getFirst();
        Map<Object, Object> env = new java.util.HashMap<>();
        list(container, "env").forEach(variable -> env.put(variable.get("name"), variable.get("value")));
        return env;
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void everyServiceTakesTheIssuersTokens(String values) {
        String issuer = values.equals(DEFAULT) ? ISSUER : PRODUCTION_ISSUER;
        for (Map<String, Object> deployment : ofKind(render(values), "Deployment")) {
            Map<String, Object> container = list(map(map(map(deployment, "spec"), "template"), "spec"), "containers")
                    .getFirst();
            assertThat(list(container, "env"))
                    .as((String) container.get("name"))
                    .contains(Map.of("name", "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI", "value", issuer));
        }
    }

    /** order-api and the workers sign and check events with the Secret's keys; the relay, which only forwards, has none. */
    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void everyProducerAndConsumerTakesTheMessageSigningKeysFromTheirSecretAndTheRelayNone(String values) {
        for (Map<String, Object> deployment : ofKind(render(values), "Deployment")) {
            Map<String, Object> container = list(map(map(map(deployment, "spec"), "template"), "spec"), "containers")
                    .getFirst();
            String name = (String) container.get("name");
            if (name.equals("outbox-relay")) {
                assertThat(container).as(name).doesNotContainKey("envFrom");
                assertThat(container.toString()).as(name).doesNotContain("SIGNING");
                continue;
            }
            assertThat(list(container, "envFrom"))
                    .as(name)
                    .containsExactly(Map.of(
                            "prefix",
                            "ORDERLY_MESSAGING_SIGNING_KEYS_",
                            "secretRef",
                            Map.of("name", "orderly-message-signing")));
            assertThat(list(container, "env"))
                    .as(name)
                    .contains(Map.of("name", "ORDERLY_MESSAGING_SIGNING_SIGNING_KEY_ID", "value", "k1"));
        }
    }

    @Test
    void withoutAMessageSigningSecretTheChartRefusesToRender() {
        assertThatThrownBy(() -> template(DEFAULT)
                        .set("messageSigning.existingSecret", "")
                        .call())
                .hasMessageContaining("messageSigning.existingSecret");
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void orderApisActuatorHasAPortOfItsOwnWhichTheProbesAndTheServiceMonitorUseAndTheIngressDoesNot(String values) {
        List<Map<String, Object>> manifests = render(values);

        for (Map<String, Object> deployment : ofKind(manifests, "Deployment")) {
            Map<String, Object> container = list(map(map(map(deployment, "spec"), "template"), "spec"), "containers")
                    .getFirst();
            String name = (String) container.get("name");
            String probePort = name.equals("order-api") ? "management" : "http";
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(map(map(container, probe), "httpGet"))
                        .as("%s %s", name, probe)
                        .containsEntry("port", probePort);
            }
            if (name.equals("order-api")) {
                assertThat(list(container, "ports"))
                        .extracting(port -> port.get("name") + ":" + port.get("containerPort"))
                        .containsExactly("http:8080", "management:8081");
                assertThat(list(container, "env")).contains(Map.of("name", "MANAGEMENT_SERVER_PORT", "value", "8081"));
            }
        }
        for (Map<String, Object> service : ofKind(manifests, "Service")) {
            assertThat(list(map(service, "spec"), "ports"))
                    .as("the ServiceMonitor scrapes the port named management of %s", map(service, "metadata"))
                    .anySatisfy(port -> assertThat(port).containsEntry("name", "management"));
        }
        assertThat(list(map(ofKind(manifests, "ServiceMonitor").getFirst(), "spec"), "endpoints"))
                .allSatisfy(endpoint -> assertThat(endpoint).containsEntry("port", "management"));
        for (Map<String, Object> ingress : ofKind(manifests, "Ingress")) {
            assertThat(ingress.toString()).as("the ingress routes the API only").doesNotContain("management");
        }
    }

    /**
     * helm-java renders no test hooks, so the pod's template is read as text; {@link #chartLintsStrictly} renders it.
     */
    @Test
    void theTestPodOrdersWithATokenFromItsClientsCredentialsInASecret() throws IOException {
        String pod = Files.readString(CHART.resolve("templates/tests/order-reaches-shipped.yaml"));

        assertThat(pod)
                .contains("secretKeyRef: {name: {{ .Values.helmTest.clientSecretName | quote }}, key: client-id")
                .contains("secretKeyRef: {name: {{ .Values.helmTest.clientSecretName | quote }}, key: client-secret")
                .contains("{name: TOKEN_URL, value: {{ .Values.helmTest.tokenUrl | quote }}}")
                .contains("grant_type=client_credentials")
                .contains("-H \"$auth\"")
                .contains("auth=\"Authorization: Bearer $token\"")
                .as("the order is the token's customer's")
                .doesNotContain("customer_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void everyContainerHasProbesResourcesAndRunsAsNonRoot(String values) {
        List<Map<String, Object>> manifests = render(values);

        List<Map<String, Object>> deployments = ofKind(manifests, "Deployment");
        assertThat(deployments).hasSize(5);
        for (Map<String, Object> deployment : deployments) {
            Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
            assertThat(map(pod, "securityContext")).containsEntry("runAsNonRoot", true);
            for (Map<String, Object> container : list(pod, "containers")) {
                String name = (String) container.get("name");
                assertThat(container).as(name).containsKeys("livenessProbe", "readinessProbe", "startupProbe");
                assertThat(map(map(container, "resources"), "requests"))
                        .as(name)
                        .containsKeys("cpu", "memory");
                assertThat(map(map(container, "resources"), "limits")).as(name).containsKey("memory");
                assertThat(map(container, "securityContext"))
                        .as(name)
                        .containsEntry("readOnlyRootFilesystem", true)
                        .containsEntry("allowPrivilegeEscalation", false);
            }
        }
        // The helm test pod is a hook, with no probes to speak of, but it too is bounded and unprivileged.
        for (Map<String, Object> pod : ofKind(manifests, "Pod")) {
            assertThat(map(map(pod, "spec"), "securityContext")).containsEntry("runAsNonRoot", true);
            for (Map<String, Object> container : list(map(pod, "spec"), "containers")) {
                assertThat(map(container, "resources")).containsKeys("requests", "limits");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void kedaAndHpaNeverTargetOneWorkload(String values) {
        List<Map<String, Object>> manifests = render(values);

        Set<String> byHpa = new HashSet<>();
        for (Map<String, Object> hpa : ofKind(manifests, "HorizontalPodAutoscaler")) {
            byHpa.add((String) map(map(hpa, "spec"), "scaleTargetRef").get("name"));
        }
        Set<String> byKeda = new HashSet<>();
        for (Map<String, Object> scaled : ofKind(manifests, "ScaledObject")) {
            byKeda.add((String) map(map(scaled, "spec"), "scaleTargetRef").get("name"));
        }
        assertThat(byHpa).isNotEmpty().doesNotContainAnyElementsOf(byKeda);
        assertThat(byKeda).hasSize(3).allMatch(name -> name.endsWith("-worker"));
        for (Map<String, Object> deployment : ofKind(manifests, "Deployment")) {
            String name = (String) map(deployment, "metadata").get("name");
            if (byHpa.contains(name) || byKeda.contains(name)) {
                assertThat(map(deployment, "spec")).as(name).doesNotContainKey("replicas");
            }
        }
    }

    @Test
    void bothAutoscalersOnOneWorkloadRefuseToRender() {
        assertThatThrownBy(() -> template(DEFAULT)
                        .set("services.order-worker.autoscaling.hpa.enabled", "true")
                        .set("services.order-worker.autoscaling.hpa.minReplicas", "1")
                        .set("services.order-worker.autoscaling.hpa.maxReplicas", "4")
                        .set("services.order-worker.autoscaling.hpa.targetCPUUtilizationPercentage", "70")
                        .call())
                .hasMessageContaining("services.order-worker")
                .hasMessageContaining("enable one of them");
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void noPasswordIsInlined(String values) {
        List<Map<String, Object>> manifests = render(values);

        assertThat(ofKind(manifests, "Secret"))
                .as("an existing Secret is named, so none is rendered")
                .isEmpty();
        for (Map<String, Object> deployment : ofKind(manifests, "Deployment")) {
            for (Map<String, Object> container :
                    list(map(map(map(deployment, "spec"), "template"), "spec"), "containers")) {
                for (Map<String, Object> variable : list(container, "env")) {
                    String name = (String) variable.get("name");
                    if (name.contains("PASSWORD") || name.contains("SECRET")) {
                        assertThat(variable).as(name).doesNotContainKey("value");
                        assertThat(map(map(variable, "valueFrom"), "secretKeyRef"))
                                .as(name)
                                .containsKeys("name", "key");
                    }
                }
            }
        }
    }

    @Test
    void chartCreatedSecretHoldsThePasswordsAndContainersStillReferToIt() {
        TemplateCommand command = template(DEFAULT).set("credentials.existingSecret", "");
        for (String service :
                List.of("order-api", "outbox-relay", "order-worker", "payment-worker", "shipping-worker")) {
            command.set("credentials.passwords." + service + "-db-password", "db-" + service);
            if (!service.equals("order-api")) {
                command.set("credentials.passwords." + service + "-rabbitmq-password", "mq-" + service);
            }
        }
        command.set("credentials.passwords.rabbitmq-admin-password", "admin-secret-value");
        // The topology's objects are hooks by default, which a template leaves out: render them as plain objects.
        command.set("topology.asHook", false);
        List<Map<String, Object>> manifests = parse(command.call());

        assertThat(ofKind(manifests, "Secret"))
                .filteredOn(secret -> map(secret, "metadata").get("name").equals("orderly-credentials"))
                .singleElement()
                .satisfies(secret ->
                        assertThat(map(secret, "data")).hasSize(10).containsKey("payment-worker-rabbitmq-password"));
        assertThat(ofKind(manifests, "Secret"))
                .as("the topology job's own copy of the administrator's password")
                .filteredOn(secret -> map(secret, "metadata").get("name").equals("orderly-topology-admin"))
                .singleElement()
                .satisfies(secret -> assertThat(map(secret, "data")).containsOnlyKeys("rabbitmq-admin-password"));
        String rendered = manifests.toString();
        assertThat(rendered).doesNotContain("db-order-api", "mq-payment-worker", "admin-secret-value");
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void theBrokerTopologyIsImportedByAHookBeforeAnyServiceStartsAndTheRelayReadsTheBindings(String values)
            throws IOException {
        assertThat(render(values))
                .as("by default the topology's objects are hooks, outside the release's plain manifest")
                .noneMatch(m -> String.valueOf(map(m, "metadata").get("name")).startsWith("orderly-topology"));
        List<Map<String, Object>> manifests =
                parse(template(values).set("topology.asHook", false).call());

        Map<String, Object> configMap = ofKind(manifests, "ConfigMap").stream()
                .filter(m -> map(m, "metadata").get("name").equals("orderly-topology"))
                .findFirst()
                .orElseThrow();
        JsonMapper json = JsonMapper.builder().build();
        assertThat(json.readTree((String) map(configMap, "data").get("topology.json")))
                .as("the same topology docker compose and ./orderly up import")
                .isEqualTo(json.readTree(Files.readString(CHART.resolve("files/rabbitmq/topology.json"))));

        Map<String, Object> job = ofKind(manifests, "Job").stream()
                .filter(m -> map(m, "metadata").get("name").equals("orderly-topology"))
                .findFirst()
                .orElseThrow();
        Map<String, Object> pod = map(map(map(job, "spec"), "template"), "spec");
        assertThat(map(pod, "securityContext")).containsEntry("runAsNonRoot", true);
        Map<String, Object> container = list(pod, "containers").getFirst();
        assertThat(map(container, "resources")).containsKeys("requests", "limits");
        assertThat(String.valueOf(container.get("args"))).contains("/api/definitions");

        Map<String, Object> relay = ofKind(manifests, "Deployment").stream()
                .filter(m -> map(m, "metadata").get("name").equals("orderly-outbox-relay"))
                .findFirst()
                .orElseThrow();
        assertThat(String.valueOf(relay)).contains("ORDERLY_RELAY_ROUTES_MANAGEMENT_URL");
        assertThat(manifests.toString()).doesNotContain("DECLARE_SHARED_EXCHANGES");
    }

    @Test
    void anotherVirtualHostIsWrittenIntoTheImportedTopology() {
        List<Map<String, Object>> manifests = parse(template(DEFAULT)
                .set("rabbitmq.virtualHost", "shop")
                .set("topology.asHook", false)
                .call());

        String topology = (String) map(
                        ofKind(manifests, "ConfigMap").stream()
                                .filter(m -> map(m, "metadata").get("name").equals("orderly-topology"))
                                .findFirst()
                                .orElseThrow(),
                        "data")
                .get("topology.json");
        assertThat(topology).contains("\"vhost\" : \"shop\"").doesNotContain("\"vhost\" : \"orderly\"");
    }

    @Test
    void missingPasswordsRefuseToRenderNamingTheKeys() {
        assertThatThrownBy(() ->
                        template(DEFAULT).set("credentials.existingSecret", "").call())
                .hasMessageContaining("order-api-db-password")
                .hasMessageContaining("existingSecret");
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void everyObjectCarriesTheRecommendedLabels(String values) {
        for (Map<String, Object> manifest : render(values)) {
            Map<String, Object> labels = map(map(manifest, "metadata"), "labels");
            assertThat(labels)
                    .as("%s %s", manifest.get("kind"), map(manifest, "metadata").get("name"))
                    .containsKeys(
                            "app.kubernetes.io/name",
                            "app.kubernetes.io/instance",
                            "app.kubernetes.io/version",
                            "app.kubernetes.io/managed-by",
                            "app.kubernetes.io/part-of");
        }
        for (Map<String, Object> deployment : ofKind(render(values), "Deployment")) {
            Map<String, Object> selector = map(map(map(deployment, "spec"), "selector"), "matchLabels");
            Map<String, Object> podLabels = map(map(map(map(deployment, "spec"), "template"), "metadata"), "labels");
            assertThat(podLabels).containsAllEntriesOf(selector).containsKey("app.kubernetes.io/component");
        }
    }

    @Test
    void prometheusRuleHoldsTheRulesDockerComposeMounts() throws IOException {
        List<Map<String, Object>> manifests = render(DEFAULT);
        Map<String, Object> rulesFile =
                new Yaml().load(Files.readString(CHART.resolve("files/prometheus/orderly-rules.yml")));

        assertThat(ofKind(manifests, "PrometheusRule"))
                .singleElement()
                .satisfies(rule -> assertThat(map(rule, "spec").get("groups")).isEqualTo(rulesFile.get("groups")));
        assertThat(ofKind(manifests, "ServiceMonitor"))
                .singleElement()
                .satisfies(monitor ->
                        assertThat(map(monitor, "spec")).containsEntry("jobLabel", "app.kubernetes.io/component"));
    }

    @Test
    void theServiceMonitorScrapesWithTheMonitoringClientsSecretOnceATokenUrlIsGiven() {
        List<Map<String, Object>> manifests = parse(template(DEFAULT)
                .set("monitoring.serviceMonitor.oauth2.tokenUrl", "https://idp.example/oauth2/token")
                .call());

        Map<String, Object> endpoint = list(
                        map(ofKind(manifests, "ServiceMonitor").getFirst(), "spec"), "endpoints")
                .getFirst();
        Map<String, Object> oauth2 = map(endpoint, "oauth2");
        assertThat(oauth2).containsEntry("tokenUrl", "https://idp.example/oauth2/token");
        assertThat(map(map(oauth2, "clientId"), "secret"))
                .containsEntry("name", "orderly-monitoring-client")
                .containsEntry("key", "client-id");
        assertThat(map(oauth2, "clientSecret"))
                .containsEntry("name", "orderly-monitoring-client")
                .containsEntry("key", "client-secret");
        assertThat(list(map(ofKind(render(DEFAULT), "ServiceMonitor").getFirst(), "spec"), "endpoints")
                        .getFirst())
                .as("no token endpoint, no credential: the scrapes are refused, not open")
                .doesNotContainKey("oauth2");
    }

    /** The chart rendered with {@code values} (its defaults and the one value a user must give, or that file). */
    /**
     * Each service's pods accept only what their job needs (order-api's API from the ingress controller and the test
     * pod, each management port from the monitoring namespace) and open only DNS, the database, the broker (not
     * order-api), the broker's management API (the relay only) and the IdP's keys; the ports are the ones the
     * Deployments are given, so a moved database or broker port moves the policy with it.
     */
    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void eachServiceAcceptsAndOpensOnlyTheConnectionsItsJobNeeds(String values) {
        List<Map<String, Object>> manifests = render(values);
        List<Map<String, Object>> policies = ofKind(manifests, "NetworkPolicy");
        Map<String, Object> relayEnv = new HashMap<>();
        List<String> deployments = new ArrayList<>();
        for (Map<String, Object> deployment : ofKind(manifests, "Deployment")) {
            Map<String, Object> container = list(map(map(map(deployment, "spec"), "template"), "spec"), "containers")
                    .getFirst();
            deployments.add((String) container.get("name"));
            if (container.get("name").equals("outbox-relay")) {
                list(container, "env")
                        .forEach(variable -> relayEnv.put((String) variable.get("name"), variable.get("value")));
            }
        }
        int database = Integer.parseInt(String.valueOf(relayEnv.get("SPRING_DATASOURCE_URL"))
                .replaceAll("^jdbc:postgresql://[^:/]+:(\\d+)/.*$", "$1"));
        int amqp = Integer.parseInt(String.valueOf(relayEnv.get("SPRING_RABBITMQ_PORT")));
        int management = URI.create(String.valueOf(relayEnv.get("ORDERLY_RELAY_ROUTES_MANAGEMENT_URL")))
                .getPort();

        assertThat(policies)
                .extracting(policy -> map(map(map(policy, "spec"), "podSelector"), "matchLabels")
                        .get("app.kubernetes.io/component"))
                .as("one policy per service")
                .containsExactlyInAnyOrderElementsOf(deployments);
        for (Map<String, Object> policy : policies) {
            Map<String, Object> spec = map(policy, "spec");
            String service =
                    (String) map(map(spec, "podSelector"), "matchLabels").get("app.kubernetes.io/component");
            assertThat(spec.get("policyTypes")).as(service).isEqualTo(List.of("Ingress", "Egress"));

            Set<Object> opens = new HashSet<>();
            list(spec, "egress").forEach(rule -> list(rule, "ports").forEach(port -> opens.add(port.get("port"))));
            Set<Object> expected = new HashSet<>(List.of(53, database, 443));
            if (!service.equals("order-api")) {
                expected.add(amqp);
            }
            if (service.equals("outbox-relay")) {
                expected.add(management);
            }
            assertThat(opens).as("%s opens", service).isEqualTo(expected);

            List<Map<String, Object>> ingress = list(spec, "ingress");
            List<String> accepts = new ArrayList<>();
            ingress.forEach(rule -> list(rule, "ports").forEach(port -> accepts.add((String) port.get("port"))));
            assertThat(accepts)
                    .as("%s accepts", service)
                    .containsExactlyElementsOf(
                            service.equals("order-api") ? List.of("http", "management") : List.of("http"));
            Map<String, Object> managementRule = ingress.getLast();
            assertThat(list(managementRule, "from"))
                    .as("%s's management side, from the monitoring namespace only", service)
                    .containsExactly(Map.of(
                            "namespaceSelector",
                            Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "monitoring"))));
            if (service.equals("order-api")) {
                assertThat(list(ingress.getFirst(), "from"))
                        .as("order-api's API: the ingress controller and the release's test pod")
                        .hasSize(2)
                        .anySatisfy(peer -> assertThat(peer.toString()).contains("ingress-nginx"))
                        .anySatisfy(peer -> assertThat(peer.toString()).contains("helm-test"));
            }
        }
    }

    @Test
    void networkPoliciesCanBeLeftToTheCluster() {
        assertThat(ofKind(
                        parse(template(DEFAULT)
                                .set("networkPolicy.enabled", false)
                                .call()),
                        "NetworkPolicy"))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {DEFAULT, PRODUCTION})
    void theConsoleIsOffUnlessTurnedOn(String values) {
        assertThat(render(values))
                .extracting(manifest -> map(manifest, "metadata").get("name"))
                .doesNotContain("orderly-console");
    }

    /** An upgrade with --reuse-values from a release before the console has no console values at all. */
    @Test
    void valuesWithoutAnyConsoleEntryStillRender() {
        assertThat(parse(template(DEFAULT).set("console", "null").call()))
                .extracting(manifest -> map(manifest, "metadata").get("name"))
                .contains("orderly-payment-worker")
                .doesNotContain("orderly-console");
    }

    @Test
    void turnedOnTheConsoleNeedsItsIdentityProvidersEndpointsAndSecretAndNothingElseOfTheServices() {
        assertThatThrownBy(() -> template(DEFAULT).set("console.enabled", true).call())
                .hasMessageContaining("console.authorizationUri is required");

        List<Map<String, Object>> manifests = parse(template(DEFAULT)
                .set("console.enabled", true)
                .set("console.authorizationUri", "https://idp.example/realms/orderly/protocol/openid-connect/auth")
                .set("console.tokenUri", "https://idp.example/realms/orderly/protocol/openid-connect/token")
                .set("console.existingSecret", "orderly-console")
                .set("console.logoutUri", "https://idp.example/realms/orderly/protocol/openid-connect/logout")
                .call());

        Map<String, Object> deployment = named(ofKind(manifests, "Deployment"), "orderly-console");
        Map<String, Object> container = list(map(map(map(deployment, "spec"), "template"), "spec"), "containers")
                .getFirst();
        Map<Object, Object> env = new java.util.HashMap<>();
        list(container, "env")
                .forEach(variable -> env.put(
                        variable.get("name"),
                        variable.containsKey("value") ? variable.get("value") : variable.get("valueFrom")));
        assertThat(env)
                .containsEntry("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI", ISSUER)
                .containsEntry("SPRING_SECURITY_OAUTH2_CLIENT_REGISTRATION_ORDERLY_CLIENT_ID", "orderly-console")
                .containsEntry(
                        "SPRING_SECURITY_OAUTH2_CLIENT_REGISTRATION_ORDERLY_CLIENT_SECRET",
                        Map.of("secretKeyRef", Map.of("name", "orderly-console", "key", "client-secret")))
                .containsEntry(
                        "SPRING_SECURITY_OAUTH2_CLIENT_PROVIDER_ORDERLY_AUTHORIZATION_URI",
                        "https://idp.example/realms/orderly/protocol/openid-connect/auth")
                .containsEntry("ORDERLY_CONSOLE_ORDER_API_MANAGEMENT", "http://orderly-order-api:8081")
                .containsEntry("ORDERLY_CONSOLE_WORKERS_PAYMENT", "http://orderly-payment-worker:8080")
                .containsEntry(
                        "ORDERLY_CONSOLE_BROKER_PASSWORD",
                        Map.of("secretKeyRef", Map.of("name", "orderly-console", "key", "broker-password")))
                .containsEntry(
                        "ORDERLY_CONSOLE_LOGOUT_URI",
                        "https://idp.example/realms/orderly/protocol/openid-connect/logout")
                .doesNotContainKeys("SPRING_DATASOURCE_URL", "SPRING_RABBITMQ_USERNAME");
        assertThat(map(container, "securityContext")).containsEntry("readOnlyRootFilesystem", true);
        assertThat(named(ofKind(manifests, "Service"), "orderly-console")).isNotNull();

        // The workers take the console's calls on their management port; nothing else of the policy changes.
        Map<String, Object> worker = named(ofKind(manifests, "NetworkPolicy"), "orderly-payment-worker");
        assertThat(list(map(worker, "spec"), "ingress"))
                .anySatisfy(rule -> assertThat(list(rule, "from"))
                        .anySatisfy(peer -> assertThat(map(map(peer, "podSelector"), "matchLabels"))
                                .containsEntry("app.kubernetes.io/component", "console")));
        Map<String, Object> console = named(ofKind(manifests, "NetworkPolicy"), "orderly-console");
        assertThat(map(console, "spec").get("policyTypes")).isEqualTo(List.of("Ingress", "Egress"));
    }

    private static Map<String, Object> named(List<Map<String, Object>> manifests, String name) {
        return manifests.stream()
                .filter(manifest -> name.equals(map(manifest, "metadata").get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " among "
                        + manifests.stream()
                                .map(manifest -> map(manifest, "metadata").get("name"))
                                .toList()));
    }

    @Test
    void theIngressRoutesTheOrdersOnlyUnlessTheInventoryIsAskedFor() {
        assertThat(ingressPaths(template(PRODUCTION))).containsExactly("/orders");
        assertThat(ingressPaths(template(PRODUCTION).set("ingress.routeInventory", true)))
                .containsExactly("/orders", "/inventory");
    }

    private static List<Object> ingressPaths(TemplateCommand command) {
        Map<String, Object> ingress = ofKind(parse(command.call()), "Ingress").getFirst();
        return list(map(list(map(ingress, "spec"), "rules").getFirst(), "http"), "paths").stream()
                .map(path -> path.get("path"))
                .toList();
    }

    private static TemplateCommand template(String values) {
        TemplateCommand command = new Helm(CHART).template().withName("orderly").withNamespace("orders");
        return values.equals(DEFAULT)
                ? command.set("auth.issuerUri", ISSUER).set("tls.existingSecret", TLS_SECRET)
                : command.withValuesFile(CHART.resolve(values));
    }

    private static List<Map<String, Object>> render(String values) {
        return parse(template(values).call());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> parse(String manifests) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml().loadAll(manifests)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        assertThat(documents).as("rendered manifests").isNotEmpty();
        return documents;
    }

    private static List<Map<String, Object>> ofKind(List<Map<String, Object>> manifests, String kind) {
        return manifests.stream().filter(m -> kind.equals(m.get("kind"))).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("%s in %s", key, parent.keySet()).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = Objects.requireNonNullElse(parent.get(key), List.of());
        assertThat(value).as("%s in %s", key, parent.keySet()).isInstanceOf(List.class);
        return (List<Map<String, Object>>) value;
    }
}
