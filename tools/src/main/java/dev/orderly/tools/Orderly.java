package dev.orderly.tools;

import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ./orderly}: runs the whole pipeline on this machine as private processes on loopback, and operates it.
 * The bash shim {@code ./orderly} finds or installs a JDK and the system's packages, builds this command if needed and
 * runs it; {@code ./orderly test} stays in the shim.
 *
 * <ul>
 *   <li>{@code up}: PostgreSQL and RabbitMQ (test-support's private servers, persisted in the state directory), the
 *       broker topology, then the auth-server and the five services' jars by stage ({@link Service}); running it
 *       twice is harmless;
 *   <li>{@code down}: stops what {@code up} started, by recorded PID;
 *   <li>{@code status}, {@code logs SERVICE}, {@code token CLIENT}, {@code parking-lot ...},
 *       {@code compose-env [FILE]}.
 * </ul>
 *
 * <p>Invariant: nothing listens beyond 127.0.0.1, each service gets its own credentials only, and only processes this
 * command recorded are ever signalled.
 */
public final class Orderly {

    static final String USAGE = """
            Usage: ./orderly COMMAND

              test             install what is missing, run every test (./mvnw verify), then every benchmark briefly (bench/smoke.sh)
              up               start the whole pipeline on loopback: PostgreSQL, RabbitMQ, auth-server, order-api,
                               order-worker, payment-worker, shipping-worker, outbox-relay, console (building the jars if
                               needed); running it twice is harmless
              down             stop what `up` started, by its recorded PIDs: services, then RabbitMQ, then PostgreSQL
              status           show each part, its PID and its health
              failover         promote the PostgreSQL standby once the primary is gone (ORDERLY_POSTGRES_STANDBY=1); the
                               next `up` makes the old primary its standby
              logs SERVICE     follow one log: postgres (postgres-2: the standby's), rabbitmq (rabbitmq-2, ... in a cluster), auth-server, order-api, order-worker, payment-worker,
                               shipping-worker, outbox-relay, console (or auth, api, order, payment, shipping, relay), build
              token CLIENT     print a fresh access token from the local auth-server for CLIENT: shop, decline-demo,
                               inventory-admin, operator, monitoring (curl -H "Authorization: Bearer $(./orderly token shop)")
              parking-lot WORKER list|show|replay|purge|audit   a worker's parked messages (./orderly parking-lot --help)
              top [--once]     the pipeline's overview, redrawn every 2 s until q: orders, SLO, outboxes, queues, workers,
                               parked messages (the console's page in the terminal)
              compose-env [FILE]   write docker compose's .env (default ./.env) with a generated secret for every password, as
                               `up` does where a Docker engine answers; an existing file is left alone

            Environment (ports are the wanted ones: a taken port is replaced by a free one; all are recorded in the state
            directory's env file on the first `up` and kept from then on). Every variable: docs/configuration.md.
              JAVA_HOME                         a JDK 21+ (else the newest found on PATH or in /usr/lib/jvm)
              ORDERLY_STATE_DIR                 data, logs, PIDs, generated passwords (default .orderly in this checkout)
              ORDERLY_PORTS                     "free": take a free port for every port not set explicitly (benchmarks, tests)
              ORDERLY_AUTH_SERVER_PORT          auth-server, the local stand-in for your identity provider (default 9000)
              ORDERLY_ORDER_API_PORT            order-api (default 8080)
              ORDERLY_{ORDER,PAYMENT,SHIPPING}_WORKER_PORT   the workers' management ports (defaults 8181, 8182, 8183)
              ORDERLY_OUTBOX_RELAY_PORT         outbox-relay's management port (default 8081)
              ORDERLY_CONSOLE_PORT              the operator's console (default 8184)
              ORDERLY_POSTGRES_PORT             PostgreSQL (default 5432)
              ORDERLY_RABBITMQ_PORT             RabbitMQ AMQP, over TLS only (default 5672)
              ORDERLY_RABBITMQ_MANAGEMENT_PORT  RabbitMQ management UI and API (default 15672)
              ORDERLY_RABBITMQ_PROMETHEUS_PORT  RabbitMQ metrics (default 15692)
              ORDERLY_RABBITMQ_DIST_PORT, ORDERLY_RABBITMQ_EPMD_PORT   the node's Erlang ports (defaults 25672, 4369)
              ORDERLY_RABBITMQ_NODES            1 (default), or 3 or 5: run RabbitMQ as a cluster of that many nodes (node N's ports
                                                ORDERLY_RABBITMQ_<N>_PORT, _<N>_MANAGEMENT_PORT, ...); kept once chosen, never shrunk
              ORDERLY_POSTGRES_STANDBY          1: a streaming standby beside the primary, every commit waiting for it (port
                                                ORDERLY_POSTGRES_2_PORT, default 5433); kept once chosen
              ORDERLY_POSTGRES_OPTIONS          extra PostgreSQL server options, e.g. "-c shared_preload_libraries=pg_stat_statements"
              ORDERLY_SERVICES                  which services `up` starts (default all, e.g. "order-api" for the intake bench);
                                                the auth-server always starts
              ORDERLY_JAVA_OPTS                 the services' JVM options (default: serial GC, MaxRAM 512m, C1 only, capped caches,
                                                the C heap trimmed every 10 s)
              ORDERLY_BUILD                     auto (default: rebuild the jars when sources changed), never, always
              ORDERLY_START_TIMEOUT             seconds each service may take to become ready (default 240)
            Every other variable is passed on to the services, which read their settings by Spring's relaxed names:
            SPRING_PROFILES_ACTIVE (order-api's default: dev, which seeds SKU-1, SKU-2, SKU-3, SKU-9, SKU-SCARCE),
            ORDERLY_PAYMENT_SIMULATOR_TRANSIENT_FAILURE_RATE=0.2, LOGGING_STRUCTURED_FORMAT_CONSOLE= for plain-text logs,
            ... See docs/configuration.md.""";

    private final Path root;
    private final Map<String, String> environment;
    private final Console console;
    private final StateDirectory state;

    Orderly(Path root, Map<String, String> environment, Console console) {
        this.root = root;
        this.environment = environment;
        this.console = console;
        this.state = new StateDirectory(Path.of(environment.getOrDefault(
                "ORDERLY_STATE_DIR", root.resolve(".orderly").toString())));
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("orderly.root", "."))
                .toAbsolutePath()
                .normalize();
        Console console = new Console(System.out, System.err);
        int status;
        try {
            status = new Orderly(root, System.getenv(), console).run(List.of(args));
        } catch (OrderlyException e) {
            console.fail(e.getMessage());
            status = 1;
        } catch (RuntimeException e) {
            console.fail(e.getMessage() == null ? e.toString() : e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    int run(List<String> args) {
        String command = args.isEmpty() ? "" : args.getFirst();
        RetiredNames.inEnvironment(environment).forEach(console::warn);
        if (!state.renamed().isEmpty()) {
            console.say("carried " + state.envFile() + " over to the current names (docs/configuration.md): "
                    + String.join(", ", state.renamed()));
        }
        List<String> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
        return switch (command) {
            case "up" -> up();
            case "down" -> down();
            case "status" -> status();
            case "failover" -> {
                new PrivateServers(root, state, environment, console).failover();
                yield 0;
            }
            case "logs" -> logs(rest);
            case "token" -> new TokenCommand(state, console).run(rest);
            case "parking-lot" -> new ParkingLotCommand(state, environment, console).run(rest);
            case "top" -> new TopCommand(state, console).run(rest);
            case "compose-env" -> composeEnv(rest);
            case "", "-h", "--help", "help" -> {
                console.print(USAGE);
                yield 0;
            }
            default -> {
                console.print(USAGE);
                throw new OrderlyException("unknown command: " + command);
            }
        };
    }

    // ---- up

    private int up() {
        if (dockerAvailable() && Files.exists(root.resolve("docker-compose.yaml"))) {
            return composeUp();
        }
        List<Service> services = selectedServices();
        ServiceLauncher launcher = new ServiceLauncher(root, state, environment, console);
        PrivateServers servers = new PrivateServers(root, state, environment, console);
        state.ensureSettings(environment);
        servers.startDatabase();
        servers.startBroker();
        boolean anyRunning = Service.all().stream().anyMatch(launcher::running);
        // Never rebuild a jar under a running service: then the jars are used as they are.
        new Build(root, launcher, state, console)
                .ensure(services, anyRunning ? "never" : environment.getOrDefault("ORDERLY_BUILD", "auto"), anyRunning);
        for (Service.Stage stage : Service.Stage.values()) {
            List<Service> started = new ArrayList<>();
            for (Service service : services) {
                if (service.stage() != stage) {
                    continue;
                }
                if (launcher.running(service)) {
                    console.say(service.serviceName() + " already running (pid "
                            + state.alive(service.serviceName()).orElseThrow().pid() + ")");
                    continue;
                }
                launcher.start(service);
                started.add(service);
            }
            started.forEach(launcher::awaitReady);
        }
        printUrls(services, launcher);
        return 0;
    }

    /**
     * {@code ORDERLY_SERVICES} (names separated by spaces or commas), in start order; all by default. The
     * auth-server is always among them: every service takes its keys to check tokens with.
     */
    List<Service> selectedServices() {
        String wanted = environment.getOrDefault("ORDERLY_SERVICES", "").strip();
        if (wanted.isEmpty()) {
            return Service.all();
        }
        Set<Service> chosen = new LinkedHashSet<>(List.of(Service.AUTH_SERVER));
        for (String name : wanted.split("[,\\s]+")) {
            try {
                chosen.add(Service.named(name));
            } catch (IllegalArgumentException e) {
                throw new OrderlyException("ORDERLY_SERVICES: " + e.getMessage());
            }
        }
        return Service.all().stream().filter(chosen::contains).toList();
    }

    private void printUrls(List<Service> services, ServiceLauncher launcher) {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("  Orderly is up (private processes on loopback; state in " + state.root() + ").");
        lines.add("");
        String api = "http://127.0.0.1:" + state.port("ORDERLY_ORDER_API_PORT");
        if (services.contains(Service.CONSOLE)) {
            lines.add(url(
                    "console",
                    launcher.url(Service.CONSOLE)
                            + "  (sign in as operator or viewer: ORDERLY_AUTH_USERS_OPERATOR_PASSWORD,"
                            + " _VIEWER_PASSWORD in " + state.envFile() + ")"));
        }
        lines.add(url("API", api + "/orders"));
        lines.add(url("OpenAPI", api + "/swagger-ui.html"));
        lines.add(url(
                "RabbitMQ management",
                "http://127.0.0.1:" + state.port("ORDERLY_RABBITMQ_MANAGEMENT_PORT")
                        + "  (orderly-admin, ORDERLY_RABBITMQ_ADMIN_PASSWORD in " + state.envFile() + ")"));
        lines.add(url(
                "RabbitMQ metrics", "http://127.0.0.1:" + state.port("ORDERLY_RABBITMQ_PROMETHEUS_PORT") + "/metrics"));
        lines.add(url(
                "PostgreSQL",
                "127.0.0.1:" + state.port("ORDERLY_POSTGRES_PORT") + ", database orderly (postgres, "
                        + StateDirectory.SUPERUSER_PASSWORD + " in " + state.envFile() + ")"));
        lines.add(url(
                "auth-server",
                launcher.url(Service.AUTH_SERVER) + "/oauth2/token  (clients and secrets in " + state.envFile()
                        + "; ./orderly token CLIENT)"));
        for (Service service : services) {
            if (service != Service.AUTH_SERVER) { // it exposes no metrics, only its health
                lines.add(url(
                        service.serviceName() + " metrics",
                        launcher.actuatorUrl(service) + "/actuator/prometheus  (token: monitoring)"));
            }
        }
        lines.add(url("logs", state.logs() + "   (./orderly logs SERVICE)"));
        lines.add("");
        lines.add("  Try (every request needs an access token; the shop client's orders are customer shop's):");
        lines.add("    curl -si -X POST " + api + "/orders -H 'Content-Type: application/json' \\");
        lines.add("      -H \"Authorization: Bearer $(./orderly token shop)\" -H 'Idempotency-Key: my-first-order' \\");
        lines.add("      -d '{\"currency\":\"EUR\",\"lines\":[{\"sku\":\"SKU-1\",\"quantity\":2}]}'");
        lines.add("    curl -s -H \"Authorization: Bearer $(./orderly token shop)\" " + api
                + "/orders/ORDER_ID   # its status and timeline (order_id from the answer)");
        lines.add("    curl -s -X PUT -H \"Authorization: Bearer $(./orderly token inventory-admin)\" "
                + "-H 'Content-Type: application/json' " + api + "/inventory/SKU-9 -d '{\"on_hand\": 50}'");
        lines.add("    ./orderly parking-lot payment list   # parked messages (order, payment, shipping)");
        lines.add("    ./orderly status   # each part's health");
        lines.add("");
        lines.forEach(console::print);
    }

    private static String url(String what, String where) {
        return "    %-24s %s".formatted(what, where);
    }

    // ---- docker compose

    private boolean dockerAvailable() {
        try {
            Process docker = new ProcessBuilder("docker", "info")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return docker.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private int composeUp() {
        Path env = root.resolve(".env");
        writeComposeEnv(env);
        console.say("Docker engine found: docker compose up -d --build");
        try {
            return new ProcessBuilder(
                            "docker",
                            "compose",
                            "--env-file",
                            env.toString(),
                            "-f",
                            root.resolve("docker-compose.yaml").toString(),
                            "up",
                            "-d",
                            "--build")
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run docker compose", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private int composeEnv(List<String> args) {
        writeComposeEnv(args.isEmpty() ? root.resolve(".env") : Path.of(args.getFirst()));
        return 0;
    }

    private void writeComposeEnv(Path env) {
        if (ComposeEnv.write(root.resolve(".env.example"), env)) {
            console.say("generated " + env + " (mode 600) with a random secret for every password");
            return;
        }
        List<String> renamed = RetiredNames.renameIn(env);
        if (!renamed.isEmpty()) {
            console.say("carried " + env + " over to the current names (docs/configuration.md): "
                    + String.join(", ", renamed));
        }
        console.say("using the existing " + env);
    }

    // ---- down

    private int down() {
        if (!state.exists()) {
            console.say("stopped");
            return 0;
        }
        // The console first (it only looks); then intake, the relay, the workers: they finish their in-flight work on
        // SIGTERM.
        Processes.stop(state, console, List.of(Service.CONSOLE.serviceName()), Duration.ofSeconds(20));
        Processes.stop(state, console, List.of(Service.ORDER_API.serviceName()), Duration.ofSeconds(45));
        Processes.stop(state, console, List.of(Service.OUTBOX_RELAY.serviceName()), Duration.ofSeconds(45));
        Processes.stop(
                state,
                console,
                Service.all().stream()
                        .filter(service -> service.stage() == Service.Stage.WORKERS)
                        .map(Service::serviceName)
                        .toList(),
                Duration.ofSeconds(45));
        // Last of the services: they may still check a token while they drain.
        Processes.stop(state, console, List.of(Service.AUTH_SERVER.serviceName()), Duration.ofSeconds(20));
        PrivateServers servers = new PrivateServers(root, state, environment, console);
        servers.stopBroker(Duration.ofSeconds(30));
        servers.stopDatabase(Duration.ofSeconds(30));
        console.say("stopped");
        return 0;
    }

    // ---- status

    private int status() {
        if (!state.exists()) {
            console.say("not started (no " + state.envFile() + ")");
            return 0;
        }
        PrivateServers servers = new PrivateServers(root, state, environment, console);
        ServiceLauncher launcher = new ServiceLauncher(root, state, environment, console);
        List<String> parts = new ArrayList<>();
        for (int node = 1; node <= state.postgresNodes(); node++) {
            servers.postgres(node); // sets the markers by which the servers' PIDs are recognised
            parts.add(PrivateServers.databaseProcess(node));
        }
        servers.brokers();
        parts.add("epmd");
        for (int node = 1; node <= state.rabbitNodes(); node++) {
            parts.add(PrivateServers.brokerProcess(node));
        }
        Service.all().forEach(service -> {
            launcher.running(service);
            parts.add(service.serviceName());
        });
        for (String part : parts) {
            Optional<ProcessHandle> process = state.alive(part);
            String where;
            String health = "";
            if (process.isPresent()) {
                where = "running (pid " + process.get().pid() + ")";
                health = switch (part) {
                    case String database when database.startsWith("postgres") -> databaseHealth(servers, database);
                    case "epmd" -> "port " + state.port("ORDERLY_RABBITMQ_EPMD_PORT");
                    case String broker when broker.startsWith("rabbitmq") -> brokerHealth(broker);
                    default -> {
                        Service service = Service.named(part);
                        String word = launcher.readinessWord(service);
                        yield "readiness " + (word == null ? "unreachable" : word) + " ("
                                + launcher.actuatorUrl(service) + ")";
                    }
                };
            } else if (state.recorded(part)) {
                where = "DEAD (pid "
                        + state.recordedPid(part).map(String::valueOf).orElse("?") + " is gone; see ./orderly logs "
                        + part + ")";
            } else {
                where = "stopped";
            }
            console.print("  %-16s %-22s %s".formatted(part, where, health));
        }
        return 0;
    }

    /** A node's health from its own management API ({@code rabbitmq} is node 1, {@code rabbitmq-2} node 2, ...). */
    private String brokerHealth(String broker) {
        int node = broker.equals("rabbitmq") ? 1 : Integer.parseInt(broker.substring("rabbitmq-".length()));
        String credentials = "orderly-admin:" + state.get("ORDERLY_RABBITMQ_ADMIN_PASSWORD");
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + state.port(StateDirectory.rabbitNodePort(node, "MANAGEMENT_PORT"))
                                            + "/api/health/checks/alarms"))
                                    .timeout(Duration.ofSeconds(5))
                                    .header(
                                            "Authorization",
                                            "Basic "
                                                    + Base64.getEncoder()
                                                            .encodeToString(
                                                                    credentials.getBytes(StandardCharsets.UTF_8)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return answer.body().contains("\"status\":\"ok\"")
                    ? "healthy, no alarms (AMQP 127.0.0.1:" + state.port(StateDirectory.rabbitNodePort(node, "PORT"))
                            + ")"
                    : "UNHEALTHY: " + answer.body();
        } catch (IOException e) {
            return "UNHEALTHY: no answer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "UNHEALTHY: interrupted";
        }
    }

    private String databaseHealth(PrivateServers servers, String name) {
        int node = name.equals("postgres") ? 1 : Integer.parseInt(name.substring("postgres-".length()));
        if (!servers.databaseReady(node)) {
            return "NOT accepting connections";
        }
        String role = "";
        if (state.postgresNodes() > 1) {
            try {
                role = servers.postgres(node).inRecovery() ? ", standby" : ", primary";
            } catch (IllegalStateException e) {
                role = ", role unknown (" + e.getMessage() + ")";
            }
        }
        return "accepting connections on 127.0.0.1:" + state.postgresPort(node) + role;
    }

    // ---- logs

    private int logs(List<String> args) {
        String name = args.isEmpty() ? "" : args.getFirst();
        Path file = switch (name) {
            case "postgres", "postgres-2" -> state.logs().resolve(name + ".log");
            case "rabbitmq" -> rabbitLog(PrivateServers.NODE);
            case String broker
            when broker.matches("rabbitmq-[2-9]") ->
                rabbitLog(PrivateServers.nodeName(Integer.parseInt(broker.substring("rabbitmq-".length()))));
            case "build" -> state.logs().resolve("build.log");
            default -> {
                try {
                    yield state.logs().resolve(Service.named(name).serviceName() + ".log");
                } catch (IllegalArgumentException e) {
                    throw new OrderlyException("logs takes one of: postgres, rabbitmq, "
                            + String.join(
                                    ", ",
                                    Arrays.stream(Service.values())
                                            .map(Service::serviceName)
                                            .toList())
                            + ", build");
                }
            }
        };
        if (!Files.exists(file)) {
            throw new OrderlyException("no log yet at " + file);
        }
        try {
            return new ProcessBuilder("tail", "-n", "100", "-F", file.toString())
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run tail", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** A node's own log ({@code NODE.log} in the shared log directory). */
    private Path rabbitLog(String nodeName) {
        return state.logs().resolve("rabbitmq").resolve(nodeName + ".log");
    }
}
