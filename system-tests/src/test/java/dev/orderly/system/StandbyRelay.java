package dev.orderly.system;

import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second outbox-relay instance beside the one {@code ./orderly up} started: the same runnable jar, JVM options and
 * environment (credentials included), read from the running relay's {@code /proc} entries, with a management port of
 * its own and instance id {@code standby-relay}. It waits on each table's advisory lock and takes over when the active
 * instance dies (docs/design.md#producing-the-outbox-and-the-relay).
 *
 * <p>Invariant: this class stops what it started: {@link #close()} asks the instance to stop (SIGTERM, it releases its
 * leases) and kills it if it has not stopped within 45 s; a JVM shutdown hook does the same if the test run is
 * stopped before {@code close()}.
 */
final class StandbyRelay implements AutoCloseable {

    private static final Duration START_DEADLINE = Duration.ofMinutes(4);

    private final Process process;
    private final int port;
    private final Path log;
    private final Faults faults;
    private final Thread shutdownHook;

    private StandbyRelay(Process process, int port, Path log, Faults faults) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.faults = faults;
        this.shutdownHook = new Thread(this::stop, "standby-relay-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts the standby like the running relay and waits until it is ready and standing by on every table. */
    static StandbyRelay start(Pipeline pipeline, Faults faults) {
        long active = faults.pid("outbox-relay");
        Path proc = Path.of("/proc", Long.toString(active));
        List<String> command;
        Map<String, String> environment;
        try {
            command = nulSeparated(Files.readAllBytes(proc.resolve("cmdline")));
            environment = new java.util.LinkedHashMap<>();
            for (String variable : nulSeparated(Files.readAllBytes(proc.resolve("environ")))) {
                int equals = variable.indexOf('=');
                if (equals > 0) {
                    environment.put(variable.substring(0, equals), variable.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read how the running relay (PID " + active + ") was started", e);
        }
        int port = freePort();
        environment.put("SERVER_PORT", Integer.toString(port));
        environment.put("ORDERLY_RELAY_INSTANCE_ID", "standby-relay");
        Path log = pipeline.state().resolve("logs").resolve("outbox-relay-standby.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(pipeline.state().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the standby relay", e);
        }
        StandbyRelay standby = new StandbyRelay(process, port, log, faults);
        try {
            await("the standby relay ready and standing by on every table (log " + log + ")")
                    .atMost(START_DEADLINE)
                    .pollInterval(Duration.ofMillis(500))
                    .failFast("the standby relay exited while starting; see " + log, () -> !process.isAlive())
                    .until(() -> Http.probe(standby.base() + "/actuator/health/readiness") == 200
                            && standby.roles().standbyOnEveryTable());
            return standby;
        } catch (RuntimeException | Error e) {
            standby.close();
            throw e;
        }
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    Faults.RelayRoles roles() {
        return faults.relayRoles(base());
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running, or has run, stop() itself
        }
    }

    private void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(45, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> nulSeparated(byte[] bytes) {
        List<String> parts = new ArrayList<>();
        for (String part : new String(bytes, StandardCharsets.UTF_8).split("\0")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }

    private static int freePort() {
        return FreePorts.pick(1)[0];
    }
}
