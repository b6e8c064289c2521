package dev.orderly.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * One name per setting, documented in one table (docs/configuration.md): a service's application.yaml holds no
 * {@code ${VARIABLE}} placeholder but the few allowed below; every placeholder, every variable a launcher sets or reads
 * (./orderly, docker compose and its .env, the Helm chart, the image, the benchmarks, the system tests, the Service
 * table) has a row there; a row naming a property is named by that property's relaxed name; and no row names a
 * launcher variable that nothing uses any more.
 */
class ConfigurationTableTests {

    static final Path TABLE = Tool.ROOT.resolve("docs/configuration.md");

    /**
     * The only environment placeholders an application.yaml may hold, each with why a relaxed name cannot do
     * (docs/configuration.md, "Placeholders in application.yaml").
     */
    static final Map<String, String> ALLOWED_PLACEHOLDERS = Map.of(
            "ORDERLY_POSTGRES_RELAY_ROLE",
            "Flyway placeholder relay_role of the producers' GRANTs: an environment variable cannot spell a map key with"
                    + " an underscore",
            "ORDERLY_POSTGRES_ORDER_WORKER_ROLE",
            "Flyway placeholder order_worker_role of order-api's GRANTs, likewise");

    /** {@code ${NAME} or ${NAME:default}} with an environment-style name, upper case. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    /** An ORDERLY_ variable: a pattern ({@code ORDERLY_POSTGRES_<ROLE>_PASSWORD}, {@code ORDERLY_*}) is none. */
    private static final Pattern LAUNCHER_VARIABLE = Pattern.compile("(?<![A-Z0-9_])ORDERLY_[A-Z0-9_]++(?![<{*])");

    /** A row of the table: {@code | `NAME` | property or — | default | services | meaning |}. */
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z][A-Z0-9_]*)` \\| (.+?) \\| .*\\|$");

    private static final Pattern PROPERTY = Pattern.compile("`([a-z][a-z0-9.-]*)`");

    /** The files whose ORDERLY_* variables are launchers' (RetiredNames holds the names no longer read). */
    private static final List<String> LAUNCHERS = List.of(
            "orderly",
            ".ci",
            "tools/src/main/java",
            "test-support/src/main/java",
            "docker-compose.yaml",
            ".env.example",
            "helm/orderly",
            "deploy",
            "bench",
            "system-tests/src/test/java",
            "outbox-relay/src/test/java/dev/orderly/relay/bench");

    private static final Set<String> NOT_LAUNCHERS = Set.of("RetiredNames.java");

    @Test
    void noApplicationYamlHoldsAPlaceholderThatIsNotAllowedAndEveryOneHasARow() throws IOException {
        Map<String, List<String>> placeholders = applicationYamlPlaceholders();
        assertThat(placeholders)
                .as("the services' application*.yaml hold placeholders")
                .isNotEmpty();

        assertThat(placeholders.keySet())
                .as(
                        "placeholders in application*.yaml (%s): set a setting by its relaxed name instead, or allow the"
                                + " placeholder here and say why in docs/configuration.md",
                        placeholders)
                .isSubsetOf(ALLOWED_PLACEHOLDERS.keySet());
        assertThat(rows().keySet())
                .as("rows of %s", Tool.ROOT.relativize(TABLE))
                .containsAll(placeholders.keySet())
                .containsAll(ALLOWED_PLACEHOLDERS.keySet());
    }

    @Test
    void everyVariableALauncherSetsOrReadsHasARow() throws IOException {
        Map<String, String> used = launcherVariables();
        assertThat(used)
                .as("the launchers' variables are found")
                .containsKeys("SPRING_DATASOURCE_URL", "ORDERLY_PORTS");
        Set<String> rows = rows().keySet();

        Map<String, String> missing = new TreeMap<>(used);
        missing.keySet().removeAll(rows);
        assertThat(missing)
                .as(
                        "variables a launcher sets or reads (with where), each needs a row in %s",
                        Tool.ROOT.relativize(TABLE))
                .isEmpty();
    }

    @Test
    void everyRowOfAPropertyIsNamedByThePropertysRelaxedName() throws IOException {
        Map<String, String> rows = rows();
        assertThat(rows).hasSizeGreaterThan(50);

        rows.forEach((name, property) -> {
            Matcher key = PROPERTY.matcher(property);
            if (key.matches()) {
                assertThat(name).as("the row of %s", property).isEqualTo(relaxedName(key.group(1)));
            }
        });
    }

    @Test
    void noRowNamesALauncherVariableThatNothingUses() throws IOException {
        Set<String> used = new TreeSet<>(launcherVariables().keySet());
        used.addAll(applicationYamlPlaceholders().keySet());

        List<String> unused = rows().entrySet().stream()
                .filter(row -> row.getKey().startsWith("ORDERLY_"))
                .filter(row -> !PROPERTY.matcher(row.getValue()).matches())
                .map(Map.Entry::getKey)
                .filter(name -> !used.contains(name))
                .toList();
        assertThat(unused)
                .as("rows of variables no launcher sets or reads any more")
                .isEmpty();
    }

    @Test
    void everyVariableAPageOfTheDocsNamesHasARow() throws IOException {
        Set<String> rows = rows().keySet();
        Map<String, String> named = new TreeMap<>();
        List<Path> pages = new ArrayList<>(List.of(Tool.ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(Tool.ROOT.resolve("docs"))) {
            docs.filter(page -> page.toString().endsWith(".md")).forEach(pages::add);
        }
        for (Path page : pages) {
            orderlyVariables(Files.readString(page))
                    .forEach(name ->
                            named.putIfAbsent(name, Tool.ROOT.relativize(page).toString()));
        }
        assertThat(named).as("the pages name variables").containsKey("ORDERLY_STATE_DIR");

        named.keySet().removeAll(rows);
        assertThat(named)
                .as(
                        "variables the docs name (with the page) that have no row in %s: a name before the table,"
                                + " or one that needs its row",
                        Tool.ROOT.relativize(TABLE))
                .isEmpty();
    }

    @Test
    void theScansFindWhatTheyLookFor() {
        assertThat(placeholders("url: ${ORDERLY_NOT_A_SETTING:jdbc:postgresql://x/y}\nport: ${SERVER_PORT}\n"
                        + "tag: ${spring.application.name}\n"))
                .containsExactly("ORDERLY_NOT_A_SETTING", "SERVER_PORT");
        assertThat(orderlyVariables("ORDERLY_POSTGRES_<ROLE>_PASSWORD, ORDERLY_RABBITMQ_*, $ORDERLY_STATE_DIR/env, "
                        + "\"ORDERLY_\" + name, ORDERLY_{ORDER,PAYMENT}_WORKER_PORT"))
                .containsExactly("ORDERLY_STATE_DIR");
        assertThat(relaxedName("orderly.relay.routes.management-url")).isEqualTo("ORDERLY_RELAY_ROUTES_MANAGEMENT_URL");
    }

    /** The table's rows: each variable with its property cell; a variable with two rows fails. */
    static Map<String, String> rows() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(TABLE)) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                assertThat(rows).as("%s has one row", row.group(1)).doesNotContainKey(row.group(1));
                rows.put(row.group(1), row.group(2));
            }
        }
        return rows;
    }

    /** Every environment placeholder of the services' application*.yaml, with the files it is in. */
    private static Map<String, List<String>> applicationYamlPlaceholders() throws IOException {
        Map<String, List<String>> found = new TreeMap<>();
        try (Stream<Path> modules = Files.list(Tool.ROOT)) {
            for (Path module :
                    modules.filter(m -> Files.exists(m.resolve("pom.xml"))).toList()) {
                Path resources = module.resolve("src/main/resources");
                if (!Files.isDirectory(resources)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(resources)) {
                    for (Path yaml : files.filter(
                                    f -> f.getFileName().toString().matches("application.*\\.ya?ml"))
                            .toList()) {
                        for (String name : placeholders(Files.readString(yaml))) {
                            found.computeIfAbsent(name, n -> new ArrayList<>())
                                    .add(Tool.ROOT.relativize(yaml).toString());
                        }
                    }
                }
            }
        }
        return found;
    }

    static List<String> placeholders(String yaml) {
        List<String> names = new ArrayList<>();
        Matcher placeholder = PLACEHOLDER.matcher(yaml);
        while (placeholder.find()) {
            names.add(placeholder.group(1));
        }
        return names;
    }

    static List<String> orderlyVariables(String text) {
        List<String> names = new ArrayList<>();
        Matcher variable = LAUNCHER_VARIABLE.matcher(text);
        while (variable.find()) {
            if (!variable.group().endsWith("_")) {
                names.add(variable.group());
            }
        }
        return names;
    }

    /** {@code orderly.relay.routes.management-url} as {@code ORDERLY_RELAY_ROUTES_MANAGEMENT_URL}. */
    static String relaxedName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Each variable a launcher sets or reads, with where it was found. */
    private static Map<String, String> launcherVariables() throws IOException {
        Map<String, String> used = new TreeMap<>();
        for (String launcher : LAUNCHERS) {
            try (Stream<Path> files = Files.walk(Tool.ROOT.resolve(launcher))) {
                for (Path file : files.filter(Files::isRegularFile)
                        .filter(f -> !NOT_LAUNCHERS.contains(f.getFileName().toString()))
                        .toList()) {
                    String text;
                    try {
                        text = Files.readString(file);
                    } catch (java.nio.charset.MalformedInputException binary) {
                        continue;
                    }
                    orderlyVariables(text)
                            .forEach(name -> used.putIfAbsent(
                                    name, Tool.ROOT.relativize(file).toString()));
                }
            }
        }
        for (Service service : Service.values()) {
            used.putIfAbsent(service.portVariable(), "Service");
            service.managementPortVariable().ifPresent(port -> used.putIfAbsent(port, "Service"));
            service.databasePasswordKey().ifPresent(key -> used.putIfAbsent(key, "Service"));
            service.brokerPasswordKey().ifPresent(key -> used.putIfAbsent(key, "Service"));
            service.domain().ifPresent(domain -> used.putIfAbsent(service.addressVariable(), "Service"));
        }
        for (AuthClient client : AuthClient.values()) {
            used.putIfAbsent(client.secretKey(), "AuthClient");
        }
        composeServiceVariables().forEach(name -> used.putIfAbsent(name, "docker-compose.yaml"));
        helmVariables().forEach(name -> used.putIfAbsent(name, "the Helm chart"));
        Matcher put = Pattern.compile("variables\\.put\\(\\s*\"([A-Z][A-Z0-9_]*)\"")
                .matcher(read("tools/src/main/java/dev/orderly/tools/ServiceLauncher.java"));
        while (put.find()) {
            if (!put.group(1).endsWith("_")) { // a prefix, completed in code ("ORDERLY_CONSOLE_WORKERS_" + domain)
                used.putIfAbsent(put.group(1), "ServiceLauncher");
            }
        }
        Matcher env = Pattern.compile("(?m)^ENV (.*(?:\\\\\\n.*)*)").matcher(read("deploy/docker/Dockerfile"));
        while (env.find()) {
            Matcher assignment = Pattern.compile("([A-Z][A-Z0-9_]*)=").matcher(env.group(1));
            while (assignment.find()) {
                if (!assignment.group(1).equals("JAVA_TOOL_OPTIONS")) { // the JVM's, not a setting
                    used.putIfAbsent(assignment.group(1), "deploy/docker/Dockerfile");
                }
            }
        }
        return used;
    }

    /** The environment variables docker compose gives the services, the auth-server's included. */
    @SuppressWarnings("unchecked")
    private static Set<String> composeServiceVariables() {
        Map<String, Object> services = (Map<String, Object>) new Yaml()
                .<Map<String, Object>>load(read("docker-compose.yaml"))
                .get("services");
        Set<String> names = new TreeSet<>();
        for (Service service : Service.all()) {
            Map<String, Object> definition = (Map<String, Object>) services.get(service.serviceName());
            assertThat(definition).as(service.serviceName()).isNotNull();
            names.addAll(((Map<String, Object>) definition.get("environment")).keySet());
        }
        return names;
    }

    /** The environment variables of every container the chart renders with its default values. */
    @SuppressWarnings("unchecked")
    private static Set<String> helmVariables() {
        String manifests = new Helm(Tool.ROOT.resolve("helm/orderly"))
                .template()
                .withName("orderly")
                .withNamespace("orders")
                .set("topology.asHook", false)
                .set("auth.issuerUri", "https://idp.example/realms/orderly")
                .set("tls.existingSecret", "orderly-client-tls")
                .call();
        Set<String> names = new TreeSet<>();
        for (Object document : new Yaml().loadAll(manifests)) {
            if (document instanceof Map<?, ?> manifest && "Deployment".equals(manifest.get("kind"))) {
                Map<String, Object> pod = (Map<String, Object>)
                        ((Map<String, Object>) ((Map<String, Object>) manifest.get("spec")).get("template"))
                                .get("spec");
                for (Map<String, Object> container : (List<Map<String, Object>>) pod.get("containers")) {
                    for (Map<String, Object> variable :
                            (List<Map<String, Object>>) Objects.requireNonNullElse(container.get("env"), List.of())) {
                        names.add((String) variable.get("name"));
                    }
                }
            }
        }
        assertThat(names).as("the chart's containers' variables").contains("SPRING_DATASOURCE_URL");
        return names;
    }

    private static String read(String path) {
        try {
            return Files.readString(Tool.ROOT.resolve(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
