package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A service that talks to RabbitMQ, started from its runnable jar as a deployment would with its broker login
 * forgotten, refuses to start and names the variable to set; it never falls back to another user (it used to fall back
 * to the administrator, orderly-admin). The four start side by side, each in seconds, before each one's verdict is read.
 */
class MissingBrokerLoginIntegrationTests {

    private static final Path ROOT =
            Path.of(System.getProperty("orderly.root", "..")).toAbsolutePath().normalize();

    private static final List<String> SERVICES =
            List.of("order-worker", "payment-worker", "shipping-worker", "outbox-relay");

    /** Each service's process, all four started at once: each spends seconds starting before it fails. */
    private static final Map<String, Process> STARTED = new ConcurrentHashMap<>();

    @BeforeAll
    static void startEveryServiceWithoutItsBrokerUser() throws IOException {
        for (String service : SERVICES) {
            STARTED.put(service, start(service));
        }
    }

    @AfterAll
    static void stopWhatIsLeft() {
        STARTED.values().forEach(Process::destroyForcibly);
    }

    static List<String> services() {
        return SERVICES;
    }

    @ParameterizedTest
    @MethodSource("services")
    void aServiceWithoutItsBrokerUserDoesNotStartAndSaysWhichVariableToSet(String service) throws Exception {
        Process process = STARTED.get(service);
        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }

        String output = Files.readString(log(service), StandardCharsets.UTF_8);
        assertThat(exited)
                .as("%s exited by itself; its output:%n%s", service, output)
                .isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output).contains("SPRING_RABBITMQ_USERNAME").doesNotContain("orderly-admin");
    }

    private static Process start(String service) throws IOException {
        Path log = log(service);
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar(service).toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment()
                .putAll(Map.of(
                        "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                        "SERVER_ADDRESS", "127.0.0.1",
                        "SERVER_PORT", "0",
                        "LOGGING_STRUCTURED_FORMAT_CONSOLE", "",
                        // Everything but the broker login: a database that is not there must not be what it fails on.
                        "SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:9/orderly",
                        "SPRING_DATASOURCE_PASSWORD", "unused",
                        // Keys to check tokens with, fetched only for a first token: not what it may fail on either.
                        "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI", "http://127.0.0.1:9/oauth2/jwks"));
        return builder.start();
    }

    private static Path log(String service) {
        return ROOT.resolve("system-tests/target/missing-login-" + service + ".log");
    }

    private static Path jar(String service) throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve(service).resolve("target"))) {
            List<Path> jars = files.filter(file -> file.getFileName().toString().endsWith("-exec.jar"))
                    .toList();
            assertThat(jars)
                    .as("%s's runnable jar (the reactor packages it before these tests)", service)
                    .hasSize(1);
            return jars.getFirst();
        }
    }
}
