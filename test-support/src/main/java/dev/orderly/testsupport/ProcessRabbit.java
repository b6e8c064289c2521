package dev.orderly.testsupport;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A private RabbitMQ node run from the system's packages: its own epmd, node name, Erlang cookie, Mnesia and log
 * directories, and loopback ports for AMQP (over TLS only, client certificates required: {@link RabbitBroker}),
 * distribution, management and Prometheus. The tests run one per JVM
 * ({@link #forTests}: the administrator, virtual host {@code orderly} and the permissions between them are
 * rabbitmq.conf defaults, so they exist before the first AMQP listener opens); {@code ./orderly up} runs one that
 * persists in its state directory and loads the deployment's definitions at boot.
 *
 * <p>Invariant: nothing listens beyond 127.0.0.1, nothing is shared with another node on the machine (epmd included),
 * and every long-running process is recorded while it runs.
 */
public final class ProcessRabbit implements RabbitBroker {

    private static final System.Logger LOG = System.getLogger(ProcessRabbit.class.getName());

    /** Where Debian's rabbitmq-server package puts the node's scripts. */
    public static final Path SCRIPTS = Path.of("/usr/lib/rabbitmq/bin");

    private static final String HOST = "127.0.0.1";

    private static final String LOOPBACK_ONLY = "-kernel inet_dist_use_interface {127,0,0,1}";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Where one node keeps its files.
     *
     * @param home the node's {@code HOME}: its Erlang cookie lives there (and the CLI's, so they match)
     * @param mnesia {@code RABBITMQ_MNESIA_BASE}
     * @param logs {@code RABBITMQ_LOG_BASE}
     * @param configuration where rabbitmq.conf, enabled_plugins and the optional config files are written
     * @param output the start script's standard output and error
     */
    public record Layout(Path home, Path mnesia, Path logs, Path configuration, Path output) {}

    /** The node's loopback ports. */
    public record Ports(int epmd, int amqp, int distribution, int management, int prometheus) {}

    private final Path epmdBinary;

    private final Layout layout;

    private final Ports ports;

    private final String nodeName;

    private final String adminPassword;

    private final List<String> configuration;

    private final ProcessRecorder recorder;

    private final boolean detached;

    private final PrivateCa ca;

    private final String recordAs;

    private @Nullable String distributionSource;

    private @Nullable Process epmd;

    private @Nullable Process server;

    /**
     * @param adminPassword the password of {@code orderly-admin}, used to check the node accepts AMQP
     * @param configuration rabbitmq.conf lines beyond the listeners (users and vhost, or {@code load_definitions})
     * @param detached whether the node runs in a session of its own ({@code setsid}), so that it outlives the process
     *     that started it and the terminal's signals: {@code ./orderly up}
     * @param ca whose {@link PrivateCa#rabbitmq() server certificate} the node presents, and whose CA a client's
     *     certificate must be signed by
     * @param recordAs the name its start script is recorded by ({@code rabbitmq}; {@code rabbitmq-2}, ... for the other
     *     nodes of a cluster), its Erlang VM as that name + {@code -vm}. The nodes of one cluster share the epmd port
     *     and {@link Layout#home()} (so the Erlang cookie), and have their own node name, ports and configuration
     *     directory
     */
    public ProcessRabbit(
            Path epmdBinary,
            Layout layout,
            Ports ports,
            String nodeName,
            String adminPassword,
            List<String> configuration,
            ProcessRecorder recorder,
            boolean detached,
            PrivateCa ca,
            String recordAs) {
        this.recordAs = recordAs;
        this.epmdBinary = epmdBinary;
        this.layout = layout;
        this.ports = ports;
        this.nodeName = nodeName;
        this.adminPassword = adminPassword;
        this.configuration = List.copyOf(configuration);
        this.recorder = recorder;
        this.detached = detached;
        this.ca = ca;
    }

    /**
     * The loopback address a node of a cluster opens its distribution connections to the other nodes from:
     * {@code 127.0.0.11} for node 1, {@code 127.0.0.12} for node 2, and so on. Every node listens on 127.0.0.1, so
     * without its own source address the connections a node opens could not be told from the others' by a packet
     * filter, and no node could be cut off from the rest alone (a drill does it: iptables on its distribution port and
     * its source address).
     */
    public static String clusterNodeAddress(int node) {
        if (node < 1 || node > 200) {
            throw new IllegalArgumentException("no cluster node " + node);
        }
        return "127.0.0." + (10 + node);
    }

    /**
     * Has this node open its distribution connections from {@code address} ({@link #clusterNodeAddress}), through the
     * kernel's {@code inet_dist_connect_options} in advanced.config, from its next start on.
     */
    public ProcessRabbit connectingFrom(String address) {
        this.distributionSource = address;
        return this;
    }

    /** The tests' node: in the run directory, with the administrator and virtual host as rabbitmq.conf defaults. */
    static ProcessRabbit forTests(Path epmdBinary, RunDirectory run, int[] ports, PrivateCa ca) {
        Path directory = run.path().resolve("rabbitmq");
        String adminPassword = Secrets.generate();
        return new ProcessRabbit(
                epmdBinary,
                new Layout(
                        directory.resolve("home"),
                        directory.resolve("mnesia"),
                        directory.resolve("log"),
                        directory,
                        directory.resolve("server.out")),
                new Ports(ports[0], ports[1], ports[2], ports[3], ports[4]),
                "orderly-test-" + ProcessHandle.current().pid() + "@localhost",
                adminPassword,
                List.of(
                        "default_vhost = orderly",
                        "default_user = orderly-admin",
                        "default_pass = " + adminPassword,
                        "default_user_tags.administrator = true",
                        "default_permissions.configure = .*",
                        "default_permissions.write = .*",
                        "default_permissions.read = .*"),
                run,
                false,
                ca,
                "rabbitmq");
    }

    /** The tests' start: configuration, epmd, node. */
    void initialise() {
        writeConfiguration();
        startEpmd();
        start();
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int amqpPort() {
        return this.ports.amqp();
    }

    @Override
    public int managementPort() {
        return this.ports.management();
    }

    @Override
    public int prometheusPort() {
        return this.ports.prometheus();
    }

    /**
     * What only this node's Erlang VM has on its command line: a user flag naming the node ({@code -orderly_node NAME},
     * which nothing reads). The VM's command line carries no node name of its own (RabbitMQ starts distribution from
     * its environment), so without it the VMs of a cluster's nodes could not be told apart by command line, which is
     * how a recorded PID is checked to still be the process that was started.
     */
    public String vmMarker() {
        return "-orderly_node " + this.nodeName + " ";
    }

    /** The node's name, such as {@code orderly@localhost}. */
    public String nodeName() {
        return this.nodeName;
    }

    @Override
    public String adminPassword() {
        return this.adminPassword;
    }

    @Override
    public Path certificateAuthority() {
        return this.ca.authority();
    }

    @Override
    public PrivateCa.Pair clientCertificate() {
        return this.ca.client();
    }

    /** The AMQP and management ports and the rest. */
    public Ports ports() {
        return this.ports;
    }

    @Override
    public String rabbitmqctl(String... args) {
        return cli("rabbitmqctl", args);
    }

    /**
     * Runs one of the node's command-line tools ({@code rabbitmqctl}, {@code rabbitmq-queues}, ...) against this node
     * and returns its standard output.
     *
     * @throws IllegalStateException with the command's output if it exits with a non-zero code
     */
    public String cli(String tool, String... args) {
        List<String> command = new ArrayList<>();
        command.add(SCRIPTS.resolve(tool).toString());
        command.addAll(List.of(args));
        Map<String, String> environment = environment();
        // The CLI is a short-lived Erlang node too: give it its own free distribution port rather than the shared
        // default range 35672-35682.
        String cliPort = Integer.toString(FreePorts.pick(1)[0]);
        environment.put("RABBITMQ_CTL_DIST_PORT_MIN", cliPort);
        environment.put("RABBITMQ_CTL_DIST_PORT_MAX", cliPort);
        return Command.runChecked(
                tool + " " + String.join(" ", args) + " against " + this.nodeName,
                command,
                environment,
                Duration.ofSeconds(60));
    }

    @Override
    public synchronized void start() {
        Process current = this.server;
        if (current != null && current.isAlive()) {
            return;
        }
        Path output = this.layout.output();
        Process started;
        try {
            Files.createDirectories(output.getParent());
            List<String> command = new ArrayList<>();
            if (this.detached) {
                command.add("setsid");
            }
            command.add(SCRIPTS.resolve("rabbitmq-server").toString());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            builder.environment().clear();
            builder.environment().putAll(environment());
            started = builder.start();
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not start " + SCRIPTS.resolve("rabbitmq-server"), ex);
        }
        this.server = started;
        this.recorder.record(this.recordAs, started.toHandle());
        Set<Long> recorded = new HashSet<>();
        try {
            await("RabbitMQ node " + this.nodeName + " accepting AMQP on " + HOST + ":" + this.ports.amqp())
                    .atMost(START_TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .pollInSameThread()
                    .failFast("rabbitmq-server exited", () -> !started.isAlive())
                    .until(() -> {
                        // The Erlang VM is the shell script's child: record it as soon as it exists.
                        recordChildren(started, recorded);
                        return FreePorts.listening(HOST, this.ports.management())
                                && FreePorts.listening(HOST, this.ports.prometheus())
                                && acceptsAmqp();
                    });
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException ex) {
            throw new IllegalStateException(
                    "RabbitMQ did not start: " + ex.getMessage() + "\n  output (" + output + "):\n"
                            + Command.tail(output, 40) + "\n  logs: " + this.layout.logs(),
                    ex);
        }
        recordChildren(started, recorded);
    }

    /**
     * Stops the node ({@code rabbitmqctl stop}), killing it if it does not stop in time; also a node started by another
     * process, which is then awaited through {@code rabbitmqctl}.
     */
    @Override
    public synchronized void stop() {
        Process current = this.server;
        this.server = null;
        if (current != null && !current.isAlive()) {
            return;
        }
        try {
            rabbitmqctl("stop");
        } catch (IllegalStateException ex) {
            LOG.log(Level.WARNING, "rabbitmqctl stop failed; the broker will be killed if it does not stop", ex);
        }
        if (current != null && !RunDirectory.awaitExit(current.toHandle(), STOP_TIMEOUT)) {
            LOG.log(Level.WARNING, "RabbitMQ {0} did not stop within {1}; killing it", this.nodeName, STOP_TIMEOUT);
            current.descendants().forEach(ProcessHandle::destroyForcibly);
            current.destroyForcibly();
            RunDirectory.awaitExit(current.toHandle(), Duration.ofSeconds(10));
        }
    }

    /** Stops the node, then its epmd. */
    void shutdown() {
        stop();
        Process daemon = this.epmd;
        this.epmd = null;
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            if (!RunDirectory.awaitExit(daemon.toHandle(), Duration.ofSeconds(5))) {
                daemon.destroyForcibly();
                RunDirectory.awaitExit(daemon.toHandle(), Duration.ofSeconds(5));
            }
        }
    }

    /**
     * The nodes this running node counts as members of its cluster (disc nodes, running or not), itself included; just
     * itself while it stands alone.
     */
    public List<String> clusterMembers() {
        String status = rabbitmqctl("cluster_status", "--formatter", "json");
        try {
            JsonNode nodes = JSON.readTree(status).path("disk_nodes");
            List<String> members = new ArrayList<>();
            nodes.forEach(node -> members.add(node.asString()));
            return List.copyOf(members);
        } catch (JacksonException ex) {
            throw new IllegalStateException("rabbitmqctl cluster_status printed no JSON: " + status, ex);
        }
    }

    /**
     * Makes this running node, which stands alone, a member of {@code seed}'s cluster: {@code stop_app}, {@code reset}
     * (what it held is dropped: the cluster's users, policies and queues are what count), {@code join_cluster},
     * {@code start_app}, then waits until it accepts AMQP again. Quorum queues declared before the join have no member
     * here until they are grown ({@code rabbitmq-queues grow}).
     */
    public void joinCluster(String seed) {
        rabbitmqctl("stop_app");
        rabbitmqctl("reset");
        rabbitmqctl("join_cluster", seed);
        rabbitmqctl("start_app");
        try {
            await("RabbitMQ node " + this.nodeName + " accepting AMQP after joining " + seed)
                    .atMost(START_TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .pollInSameThread()
                    .until(this::acceptsAmqp);
        } catch (ConditionTimeoutException ex) {
            throw new IllegalStateException(
                    "RabbitMQ node " + this.nodeName + " joined " + seed + " but does not accept AMQP; logs: "
                            + this.layout.logs(),
                    ex);
        }
    }

    /**
     * Imports a definitions file (users, topology, policies) into the running node as {@link #adminUser()}; what exists
     * stays as it is. Through the management API (one HTTP request) rather than {@code rabbitmqctl import_definitions},
     * which boots an Erlang VM for seconds at every {@code ./orderly up}.
     *
     * @throws RefusedLoginException if the node refuses the administrator's password
     * @throws IllegalStateException if the node refuses the definitions or cannot be reached
     */
    public void importDefinitions(Path definitions) {
        String credentials = Base64.getEncoder()
                .encodeToString((adminUser() + ":" + this.adminPassword).getBytes(StandardCharsets.UTF_8));
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(
                            URI.create("http://" + HOST + ":" + this.ports.management() + "/api/definitions"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Basic " + credentials)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofFile(definitions))
                    .build();
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not read " + definitions, ex);
        }
        HttpResponse<String> response;
        // HTTP/1.1: the management listener closes a cleartext connection that asks to upgrade to HTTP/2.
        try (HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build()) {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException ex) {
            throw new IllegalStateException(
                    "Importing " + definitions + " into " + this.nodeName + ": its management API on port "
                            + this.ports.management() + " did not answer (" + ex.getMessage() + ")",
                    ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while importing " + definitions, ex);
        }
        if (response.statusCode() == 401) {
            throw new RefusedLoginException(
                    this.nodeName + " refuses " + adminUser() + "'s password (HTTP 401 from its management API)");
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("Importing " + definitions + " into " + this.nodeName + ": HTTP "
                    + response.statusCode() + " " + response.body());
        }
    }

    /** The node turned the administrator's credentials away. */
    public static final class RefusedLoginException extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        RefusedLoginException(String message) {
            super(message);
        }
    }

    /**
     * Writes rabbitmq.conf (an AMQP listener on loopback for TLS only, with peer verification and a client certificate
     * required; management and Prometheus ports; and the node's own lines) and
     * enabled_plugins, and the Erlang cookie if there is none yet (a node and its CLI must share it, so it is never
     * replaced while a node may run).
     */
    public void writeConfiguration() {
        try {
            Files.createDirectories(this.layout.home());
            Files.createDirectories(this.layout.mnesia());
            Files.createDirectories(this.layout.logs());
            Files.createDirectories(this.layout.configuration());
            Path cookie = this.layout.home().resolve(".erlang.cookie");
            if (!Files.exists(cookie)) {
                Files.writeString(cookie, Secrets.generate(32).toUpperCase(java.util.Locale.ROOT));
                // Erlang refuses a cookie file that others can read.
                Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
            }
            PrivateCa.Pair server = this.ca.rabbitmq();
            List<String> lines = new ArrayList<>(List.of(
                    // No plaintext AMQP listener at all: TLS, and only for a client with a certificate of our CA.
                    "listeners.tcp = none",
                    "listeners.ssl.default = " + HOST + ":" + this.ports.amqp(),
                    "ssl_options.cacertfile = " + this.ca.authority(),
                    "ssl_options.certfile = " + server.certificate(),
                    "ssl_options.keyfile = " + server.privateKey(),
                    "ssl_options.verify = verify_peer",
                    "ssl_options.fail_if_no_peer_cert = true",
                    "ssl_options.versions.1 = tlsv1.3",
                    "ssl_options.versions.2 = tlsv1.2",
                    "management.tcp.ip = " + HOST,
                    "management.tcp.port = " + this.ports.management(),
                    "prometheus.tcp.ip = " + HOST,
                    "prometheus.tcp.port = " + this.ports.prometheus()));
            lines.addAll(this.configuration);
            lines.add("");
            Files.writeString(this.layout.configuration().resolve("rabbitmq.conf"), String.join("\n", lines));
            Files.writeString(
                    this.layout.configuration().resolve("enabled_plugins"),
                    "[rabbitmq_management,rabbitmq_prometheus].\n");
            Path advanced = this.layout.configuration().resolve("advanced.config");
            String source = this.distributionSource;
            if (source == null) {
                Files.deleteIfExists(advanced);
            } else {
                // An Erlang term, not an argument on the VM's command line: the list's brackets would be a glob there.
                Files.writeString(
                        advanced,
                        "[{kernel, [{inet_dist_connect_options, [{ip, {%s}}]}]}].\n"
                                .formatted(source.replace('.', ',')));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(
                    "Could not write RabbitMQ's configuration in " + this.layout.configuration(), ex);
        }
    }

    /** Starts the node's own epmd on its port, unless one listens there already (a node started earlier). */
    public void startEpmd() {
        if (FreePorts.listening(HOST, this.ports.epmd())) {
            return;
        }
        Path output = this.layout.output().resolveSibling("epmd.out");
        Process started;
        try {
            List<String> command = new ArrayList<>();
            if (this.detached) {
                command.add("setsid");
            }
            command.addAll(List.of(
                    this.epmdBinary.toString(), "-address", HOST, "-port", Integer.toString(this.ports.epmd())));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(output.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment());
            started = builder.start();
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not start " + this.epmdBinary, ex);
        }
        this.epmd = started;
        this.recorder.record("epmd", started.toHandle());
        try {
            await("epmd listening on " + HOST + ":" + this.ports.epmd())
                    .atMost(Duration.ofSeconds(10))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .pollInSameThread()
                    .failFast("epmd exited", () -> !started.isAlive())
                    .until(() -> FreePorts.listening(HOST, this.ports.epmd()));
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException ex) {
            throw new IllegalStateException(
                    "epmd for RabbitMQ did not start: " + ex.getMessage() + "\n" + Command.tail(output, 20), ex);
        }
    }

    /** Records the Erlang VM the start script runs (not the script's short-lived helpers such as dirname). */
    private void recordChildren(Process process, Set<Long> recorded) {
        process.children()
                .filter(child -> RunDirectory.commandLine(child)
                        .filter(command -> command.contains("beam"))
                        .isPresent())
                .filter(child -> recorded.add(child.pid()))
                .forEach(child -> this.recorder.record(this.recordAs + "-vm", child));
    }

    private boolean acceptsAmqp() {
        ConnectionFactory factory = connectionFactory();
        factory.setConnectionTimeout(2_000);
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection connection = factory.newConnection("orderly-test-readiness")) {
            return connection.isOpen();
        } catch (IOException | TimeoutException ex) {
            return false;
        }
    }

    /**
     * The environment of every Erlang process of this node (server, CLI): private home and cookie, private epmd,
     * loopback only, and none of the machine's RabbitMQ configuration.
     */
    private Map<String, String> environment() {
        Map<String, String> environment =
                Command.inheritedEnvironment(name -> name.startsWith("RABBITMQ_") || name.startsWith("ERL_"));
        environment.put("HOME", this.layout.home().toString());
        environment.put("LC_ALL", "C.UTF-8");
        environment.put("ERL_EPMD_PORT", Integer.toString(this.ports.epmd()));
        environment.put(
                "ERL_CRASH_DUMP", this.layout.logs().resolve("erl_crash.dump").toString());
        environment.put("RABBITMQ_NODENAME", this.nodeName);
        // No RABBITMQ_NODE_IP_ADDRESS or RABBITMQ_NODE_PORT: they would open a plaintext listener beside the TLS one.
        environment.put("RABBITMQ_DIST_PORT", Integer.toString(this.ports.distribution()));
        environment.put("RABBITMQ_MNESIA_BASE", this.layout.mnesia().toString());
        environment.put("RABBITMQ_LOG_BASE", this.layout.logs().toString());
        Path configuration = this.layout.configuration();
        environment.put(
                "RABBITMQ_CONFIG_FILE", configuration.resolve("rabbitmq.conf").toString());
        environment.put(
                "RABBITMQ_ADVANCED_CONFIG_FILE",
                configuration.resolve("advanced.config").toString());
        environment.put(
                "RABBITMQ_CONF_ENV_FILE",
                configuration.resolve("rabbitmq-env.conf").toString());
        environment.put(
                "RABBITMQ_ENABLED_PLUGINS_FILE",
                configuration.resolve("enabled_plugins").toString());
        environment.put(
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                LOOPBACK_ONLY + " " + vmMarker().strip());
        environment.put("RABBITMQ_CTL_ERL_ARGS", LOOPBACK_ONLY);
        return environment;
    }
}
