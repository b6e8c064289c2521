package dev.orderly.tools;

import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.AuthUser;
import dev.orderly.testsupport.Command;
import dev.orderly.testsupport.PrivateCa;
import dev.orderly.testsupport.Service;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * Starts each service's runnable jar as a process of its own, with its own database role and broker user and nothing
 * else's, waits until its readiness probe answers, and knows where it listens and logs. The auth-server gets the
 * signing key and the clients' secrets; every other service the auth-server's JWK set, to check tokens against.
 *
 * <p>Invariant: a service gets only its own credentials (no service but the auth-server sees a client secret or the
 * key); it listens on 127.0.0.1; it runs in a session of its own
 * ({@code setsid}), so it outlives the command and the terminal's signals, and is recorded by PID with its module's
 * {@code target/} directory as the marker of its command line. It runs from its jar's {@link ExtractedJar extraction}.
 */
final class ServiceLauncher {

    /**
     * Small JVMs for five services on a laptop: one GC thread, a 128 MB heap (a quarter of MaxRAM), capped code cache
     * and metaspace, the C1 compiler only, which halves start-up time on 2 cores and keeps each service near 180 MB
     * resident (the benchmarks set ORDERLY_JAVA_OPTS to measure with C2), and the C heap trimmed every 10 s: glibc
     * keeps what the JIT compilers freed (18 MB of a C2-compiled order-api's 316 MB, returned by one trim). The trim
     * interval is a product option from JDK 21.0.4 on and experimental in 21.0.1 to 21.0.3, hence the unlock.
     */
    static final String DEFAULT_JAVA_OPTS = "-XX:+UseSerialGC -XX:MaxRAM=512m -Xss512k -XX:TieredStopAtLevel=1 "
            + "-XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=160m "
            + "-XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=10000";

    private static final Pattern VERSION =
            Pattern.compile("<artifactId>orderly-parent</artifactId>\\s*<version>([^<]+)</version>", Pattern.DOTALL);

    private final Path root;
    private final StateDirectory state;
    private final Map<String, String> environment;
    private final Console console;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ServiceLauncher(Path root, StateDirectory state, Map<String, String> environment, Console console) {
        this.root = root;
        this.state = state;
        this.environment = environment;
        this.console = console;
    }

    /** The project's version, from the root pom. */
    String version() {
        try {
            Matcher matcher = VERSION.matcher(Files.readString(root.resolve("pom.xml")));
            if (!matcher.find()) {
                throw new OrderlyException("No version of orderly-parent in " + root.resolve("pom.xml"));
            }
            return matcher.group(1).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + root.resolve("pom.xml"), e);
        }
    }

    /** The service's runnable jar: {@code <module>/target/<module>-<version>-exec.jar}. */
    Path jar(Service service) {
        String name = service.serviceName();
        return root.resolve(name).resolve("target").resolve(name + "-" + version() + "-exec.jar");
    }

    /**
     * What a running service's command line contains: its module's {@code target/} directory, which holds the runnable
     * jar and its {@link ExtractedJar extractions} (a service started from the jar itself by an earlier version of this
     * command is recognised too).
     */
    String marker(Service service) {
        return jar(service).getParent() + "/";
    }

    boolean running(Service service) {
        state.expect(service.serviceName(), marker(service));
        return state.alive(service.serviceName()).isPresent();
    }

    String url(Service service) {
        return "http://127.0.0.1:" + state.port(service.portVariable());
    }

    /** Where the service's actuator answers (readiness, metrics): its management port, if it has one of its own. */
    String actuatorUrl(Service service) {
        return "http://127.0.0.1:" + state.port(service.actuatorPortVariable());
    }

    /** The auth-server's published keys. */
    String jwkSetUri() {
        return url(Service.AUTH_SERVER) + "/oauth2/jwks";
    }

    Path log(Service service) {
        return state.logs().resolve(service.serviceName() + ".log");
    }

    /** Starts the service in the background; {@link #awaitReady} waits for it. */
    void start(Service service) {
        Path jar = ExtractedJar.of(jar(service), java(), console);
        int port = state.port(service.portVariable());
        Map<String, String> variables = new LinkedHashMap<>(environment);
        variables.put("SERVER_ADDRESS", "127.0.0.1");
        variables.put("SERVER_PORT", Integer.toString(port));
        service.managementPortVariable().ifPresent(management -> {
            variables.put("MANAGEMENT_SERVER_ADDRESS", "127.0.0.1");
            variables.put("MANAGEMENT_SERVER_PORT", Integer.toString(state.port(management)));
        });
        service.databaseRole().ifPresent(role -> {
            // TLS, with the server's certificate and host name verified against the private CA.
            variables.put(
                    "SPRING_DATASOURCE_URL",
                    "jdbc:postgresql://" + state.postgresHosts() + "/orderly?sslmode=verify-full&sslrootcert="
                            + state.ca().authority()
                            // With a standby: whichever node is the primary, found again within 2 s of a failover.
                            + (state.postgresNodes() > 1 ? "&targetServerType=primary&hostRecheckSeconds=2" : ""));
            variables.put("SPRING_DATASOURCE_USERNAME", role);
            variables.put(
                    "SPRING_DATASOURCE_PASSWORD",
                    state.get(service.databasePasswordKey().orElseThrow()));
        });
        service.brokerUser().ifPresent(user -> {
            // The topology was imported before any service started: the services only verify it.
            variables.put("SPRING_RABBITMQ_HOST", "127.0.0.1");
            variables.put("SPRING_RABBITMQ_PORT", Integer.toString(state.port("ORDERLY_RABBITMQ_PORT")));
            if (state.rabbitNodes() > 1) {
                // Every node of the cluster, tried in a random order at each (re)connection, so that the services'
                // connections spread over the nodes and move to the others when one goes.
                variables.put("SPRING_RABBITMQ_ADDRESSES", state.amqpAddresses());
                variables.put("SPRING_RABBITMQ_ADDRESS_SHUFFLE_MODE", "random");
            }
            variables.put("SPRING_RABBITMQ_VIRTUAL_HOST", "orderly");
            variables.put("SPRING_RABBITMQ_USERNAME", user);
            variables.putAll(rabbitTls(state.ca()));
            variables.put(
                    "SPRING_RABBITMQ_PASSWORD",
                    state.get(service.brokerPasswordKey().orElseThrow()));
        });
        if (service == Service.AUTH_SERVER) {
            variables.put("ORDERLY_AUTH_SIGNING_KEY", "file:" + state.signingKey());
            for (AuthClient client : AuthClient.values()) {
                variables.put(client.secretKey(), state.get(client.secretKey()));
            }
            for (AuthUser user : AuthUser.values()) {
                variables.put(user.passwordKey(), state.get(user.passwordKey()));
            }
            // Where the authorization endpoint may send a user signed in to the console back to.
            variables.put("ORDERLY_AUTH_CLIENTS_CONSOLE_REDIRECT_URIS", url(Service.CONSOLE) + CONSOLE_REDIRECT_PATH);
        } else {
            // Spring's resource-server setting: where a service finds the keys that tokens are signed with.
            variables.put("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI", jwkSetUri());
        }
        if (service == Service.ORDER_API || service.domain().isPresent()) {
            // Every producer and consumer of events signs and checks messages with the same keys; the relay, which
            // only forwards them, and the auth-server never hold them.
            variables.putAll(state.messageSigning());
        }
        switch (service) {
            case ORDER_API ->
                variables.put("SPRING_PROFILES_ACTIVE", environment.getOrDefault("SPRING_PROFILES_ACTIVE", "dev"));
            case OUTBOX_RELAY -> {
                variables.put(
                        "ORDERLY_RELAY_TABLES",
                        environment.getOrDefault(
                                "ORDERLY_RELAY_TABLES", "orders.outbox,payments.outbox,shipping.outbox"));
                // Every node's: the bindings are read from whichever answers.
                variables.put("ORDERLY_RELAY_ROUTES_MANAGEMENT_URL", state.managementUrls());
            }
            case CONSOLE -> variables.putAll(consoleSettings());
            default -> {}
        }
        List<String> command = new ArrayList<>(List.of("setsid", java().toString()));
        command.addAll(Arrays.stream(environment
                        .getOrDefault("ORDERLY_JAVA_OPTS", DEFAULT_JAVA_OPTS)
                        .strip()
                        .split("\\s+"))
                .filter(option -> !option.isEmpty())
                .toList());
        command.addAll(List.of("-jar", jar.toString()));
        console.say("starting " + service.serviceName() + " on 127.0.0.1:" + port);
        try {
            Files.createDirectories(state.logs());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(log(service).toFile());
            builder.environment().clear();
            builder.environment().putAll(variables);
            Process process = builder.start();
            state.record(service.serviceName(), process.pid(), marker(service));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + service.serviceName(), e);
        }
    }

    /**
     * The console's: its client secret and the auth-server's endpoints (the browser's and its own are one address
     * here), each service's address, and the broker's management API as the monitoring user.
     */
    private Map<String, String> consoleSettings() {
        Map<String, String> variables = new LinkedHashMap<>();
        String auth = url(Service.AUTH_SERVER);
        variables.put(
                "SPRING_SECURITY_OAUTH2_CLIENT_REGISTRATION_ORDERLY_CLIENT_SECRET",
                state.get(AuthClient.CONSOLE.secretKey()));
        variables.put("SPRING_SECURITY_OAUTH2_CLIENT_PROVIDER_ORDERLY_AUTHORIZATION_URI", auth + "/oauth2/authorize");
        variables.put("SPRING_SECURITY_OAUTH2_CLIENT_PROVIDER_ORDERLY_TOKEN_URI", auth + "/oauth2/token");
        variables.put("ORDERLY_CONSOLE_ORDER_API", url(Service.ORDER_API));
        variables.put("ORDERLY_CONSOLE_ORDER_API_MANAGEMENT", actuatorUrl(Service.ORDER_API));
        variables.put("ORDERLY_CONSOLE_RELAY", actuatorUrl(Service.OUTBOX_RELAY));
        for (Service service : Service.values()) {
            service.domain()
                    .ifPresent(domain -> variables.put(
                            "ORDERLY_CONSOLE_WORKERS_" + domain.toUpperCase(Locale.ROOT), actuatorUrl(service)));
        }
        variables.put("ORDERLY_CONSOLE_BROKER_URL", state.managementUrls().split(",")[0]);
        variables.put("ORDERLY_CONSOLE_BROKER_PASSWORD", state.get("ORDERLY_RABBITMQ_MONITORING_PASSWORD"));
        return variables;
    }

    /** The console's path that the auth-server sends a signed-in user back to (Spring Security's default). */
    static final String CONSOLE_REDIRECT_PATH = "/login/oauth2/code/orderly";

    /**
     * AMQP over TLS through Spring Boot's SSL bundle {@code rabbitmq}: the client certificate the broker requires, and
     * the broker's certificate and host name verified against the private CA (the keys test-support gives a test).
     */
    static Map<String, String> rabbitTls(PrivateCa ca) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("SPRING_RABBITMQ_SSL_ENABLED", "true");
        variables.put("SPRING_RABBITMQ_SSL_BUNDLE", "rabbitmq");
        variables.put(
                "SPRING_SSL_BUNDLE_PEM_RABBITMQ_KEYSTORE_CERTIFICATE",
                "file:" + ca.client().certificate());
        variables.put(
                "SPRING_SSL_BUNDLE_PEM_RABBITMQ_KEYSTORE_PRIVATE_KEY",
                "file:" + ca.client().privateKey());
        variables.put("SPRING_SSL_BUNDLE_PEM_RABBITMQ_TRUSTSTORE_CERTIFICATE", "file:" + ca.authority());
        return variables;
    }

    /** Waits until the service's readiness probe answers 200; fails at once if its process exits. */
    void awaitReady(Service service) {
        Duration timeout = Duration.ofSeconds(Long.parseLong(environment.getOrDefault("ORDERLY_START_TIMEOUT", "240")));
        URI readiness = URI.create(actuatorUrl(service) + "/actuator/health/readiness");
        try {
            await(service.serviceName() + " ready")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(500))
                    .pollInSameThread()
                    .failFast(service.serviceName() + " exited", () -> !running(service))
                    .until(() -> readinessStatus(readiness) == 200);
        } catch (TerminalFailureException e) {
            console.err().println("--- last lines of " + log(service));
            console.err().println(Command.tail(log(service), 40));
            throw new OrderlyException(service.serviceName() + " exited while starting; see " + log(service)
                    + " (./orderly down stops what did start)");
        } catch (ConditionTimeoutException e) {
            console.err().println("--- last lines of " + log(service));
            console.err().println(Command.tail(log(service), 40));
            throw new OrderlyException(service.serviceName() + " was not ready within " + timeout.toSeconds() + "s ("
                    + readiness + "); see " + log(service) + " (./orderly down stops what did start)");
        }
        console.say(service.serviceName() + " ready (pid "
                + state.alive(service.serviceName()).orElseThrow().pid() + ")");
    }

    /** The readiness answer's status, -1 if nothing answered. */
    int readinessStatus(URI readiness) {
        try {
            return http.send(
                            HttpRequest.newBuilder(readiness)
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrderlyException("interrupted while waiting for " + readiness);
        }
    }

    /** The readiness status word of a running service ({@code UP}, {@code DOWN}), or null if it did not answer. */
    String readinessWord(Service service) {
        try {
            String body = http.send(
                            HttpRequest.newBuilder(URI.create(actuatorUrl(service) + "/actuator/health/readiness"))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher status = Pattern.compile("\"status\":\"([A-Z_]+)\"}$").matcher(body.strip());
            return status.find() ? status.group(1) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Path java() {
        String home = environment.get("JAVA_HOME");
        Path java =
                home != null ? Path.of(home, "bin", "java") : Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new OrderlyException("No java at " + java + ": set JAVA_HOME to a JDK 21 or newer");
        }
        return java;
    }
}
