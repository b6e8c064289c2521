package dev.orderly.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The real PostgreSQL and RabbitMQ of one JVM's integration tests: started on first use, once, and stopped by a JVM
 * shutdown hook.
 *
 * <p>Testcontainers ({@code postgres:17}, {@code rabbitmq:4.2-management}) where a Docker engine answers; otherwise
 * private processes from the system's packages on free loopback ports, with their data in a run directory that is
 * deleted on stop. {@code ORDERLY_TEST_INFRA=docker|processes} forces a mode. Never an in-memory stand-in.
 *
 * <p>Invariant: at most one pair of servers per JVM, whichever thread asks first; if starting fails, every later
 * call fails with the same cause instead of starting a second pair.
 */
public final class OrderlyInfrastructure {

    /** How the servers run. */
    public enum Mode {
        /** Testcontainers on a Docker engine. */
        DOCKER,
        /** Private processes from the system's packages, on loopback. */
        PROCESSES
    }

    static final String MODE_VARIABLE = "ORDERLY_TEST_INFRA";

    static final String BOOTSTRAP_RESOURCE = "/orderly/postgres/bootstrap.sql";

    private static final System.Logger LOG = System.getLogger(OrderlyInfrastructure.class.getName());

    private static final Object LOCK = new Object();

    private static volatile @Nullable Running running;

    private static @Nullable RuntimeException failure;

    private OrderlyInfrastructure() {}

    /** The PostgreSQL, started if it is not yet. */
    public static PostgresServer postgres() {
        return running().postgres();
    }

    /** The RabbitMQ, started if it is not yet. */
    public static RabbitBroker rabbit() {
        return running().rabbit();
    }

    /** How the servers run, starting them if they are not yet. */
    public static Mode mode() {
        return running().mode();
    }

    /** One started pair of servers and how long each took to start. */
    private record Running(
            Mode mode,
            PostgresServer postgres,
            RabbitBroker rabbit,
            Duration postgresStartup,
            Duration rabbitStartup) {}

    private static Running running() {
        Running current = running;
        if (current != null) {
            return current;
        }
        synchronized (LOCK) {
            current = running;
            if (current != null) {
                return current;
            }
            RuntimeException earlier = failure;
            if (earlier != null) {
                throw new IllegalStateException(
                        "The test PostgreSQL and RabbitMQ failed to start earlier in this JVM: " + earlier.getMessage(),
                        earlier);
            }
            try {
                current = start();
                running = current;
                return current;
            } catch (RuntimeException ex) {
                failure = ex;
                throw ex;
            }
        }
    }

    private static Running start() {
        long began = System.nanoTime();
        Optional<Path> postgresBinaries = postgresBinaries();
        Optional<Path> epmd = epmd();
        Mode mode = chooseMode(
                System.getenv(MODE_VARIABLE),
                Containers::dockerAvailable,
                () -> missingPackages(postgresBinaries, epmd));
        byte[] bootstrapSql = bootstrapSql();
        Running started = (mode == Mode.DOCKER)
                ? startContainers(bootstrapSql)
                : startProcesses(postgresBinaries.orElseThrow(), epmd.orElseThrow(), bootstrapSql);
        LOG.log(
                Level.INFO,
                "Orderly test infrastructure ({0}) ready in {1,number,#} ms: "
                        + "PostgreSQL {2}:{3,number,#} in {4,number,#} ms, "
                        + "RabbitMQ {5}:{6,number,#} (management {7,number,#}, prometheus {8,number,#}) "
                        + "in {9,number,#} ms",
                mode,
                Duration.ofNanos(System.nanoTime() - began).toMillis(),
                started.postgres().host(),
                started.postgres().port(),
                started.postgresStartup().toMillis(),
                started.rabbit().host(),
                started.rabbit().amqpPort(),
                started.rabbit().managementPort(),
                started.rabbit().prometheusPort(),
                started.rabbitStartup().toMillis());
        return started;
    }

    /**
     * Decides how to run the servers.
     *
     * @param forced the value of {@code ORDERLY_TEST_INFRA}, if set
     * @param dockerAvailable asked only when the mode is not forced to processes
     * @param missingPackages the system-package programs that are missing; empty when all are installed
     */
    static Mode chooseMode(
            @Nullable String forced, BooleanSupplier dockerAvailable, Supplier<List<String>> missingPackages) {
        String wanted = (forced != null) ? forced.strip().toLowerCase(Locale.ROOT) : "";
        switch (wanted) {
            case "docker" -> {
                if (!dockerAvailable.getAsBoolean()) {
                    throw new IllegalStateException(MODE_VARIABLE + "=docker, but no Docker engine answers. Start "
                            + "Docker, or unset " + MODE_VARIABLE + " to use the system's PostgreSQL and RabbitMQ.");
                }
                return Mode.DOCKER;
            }
            case "processes" -> {
                List<String> missing = missingPackages.get();
                if (!missing.isEmpty()) {
                    throw new IllegalStateException(MODE_VARIABLE + "=processes, but " + missing + " not found. "
                            + "Install them with `apt-get install postgresql rabbitmq-server` (or run `./orderly test`,"
                            + " which installs them).");
                }
                return Mode.PROCESSES;
            }
            case "" -> {
                if (dockerAvailable.getAsBoolean()) {
                    return Mode.DOCKER;
                }
                List<String> missing = missingPackages.get();
                if (missing.isEmpty()) {
                    return Mode.PROCESSES;
                }
                throw new IllegalStateException("Integration tests need a real PostgreSQL and RabbitMQ, but no Docker "
                        + "engine answers and " + missing + " not found. Install them with `apt-get install "
                        + "postgresql rabbitmq-server` (or run `./orderly test`, which installs them), or start "
                        + "Docker.");
            }
            default ->
                throw new IllegalStateException(
                        MODE_VARIABLE + " must be 'docker' or 'processes' (or unset to choose), not '" + forced + "'.");
        }
    }

    private static Running startContainers(byte[] bootstrapSql) {
        RunDirectory run = RunDirectory.create();
        PrivateCa ca = PrivateCa.ensure(run.directory("tls"), List.of());
        ContainerPostgres postgres = new ContainerPostgres(ca);
        ContainerRabbit rabbit = new ContainerRabbit(ca);
        Runnable shutdown = once(() -> {
            inParallel(postgres::shutdown, rabbit::shutdown);
            run.delete();
        });
        return startBoth(
                Mode.DOCKER, postgres, () -> postgres.initialise(bootstrapSql), rabbit, rabbit::initialise, shutdown);
    }

    private static Running startProcesses(Path postgresBinaries, Path epmd, byte[] bootstrapSql) {
        RunDirectory run = RunDirectory.create();
        int[] ports = FreePorts.pick(6);
        // One private CA per run: its certificates are made once (some 50 ms of openssl), before either server starts.
        PrivateCa ca = PrivateCa.ensure(run.directory("tls"), List.of());
        ProcessPostgres postgres = ProcessPostgres.forTests(postgresBinaries, run, ports[0], ca);
        ProcessRabbit rabbit =
                ProcessRabbit.forTests(epmd, run, new int[] {ports[1], ports[2], ports[3], ports[4], ports[5]}, ca);
        Runnable shutdown = once(() -> {
            inParallel(postgres::shutdown, rabbit::shutdown);
            run.delete();
        });
        return startBoth(
                Mode.PROCESSES,
                postgres,
                () -> postgres.initialise(bootstrapSql),
                rabbit,
                rabbit::initialise,
                shutdown);
    }

    /**
     * Starts both servers side by side. The shutdown hook is in place before either starts, so even a half-started
     * pair is stopped; if either fails, both are stopped at once and the first failure is thrown.
     */
    private static Running startBoth(
            Mode mode,
            PostgresServer postgres,
            Runnable startPostgres,
            RabbitBroker rabbit,
            Runnable startRabbit,
            Runnable shutdown) {
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "orderly-test-infrastructure-shutdown"));
        try (ExecutorService executor = Executors.newFixedThreadPool(2)) {
            Future<Duration> postgresStartup = executor.submit(() -> timed(startPostgres));
            Future<Duration> rabbitStartup = executor.submit(() -> timed(startRabbit));
            List<Throwable> failures = new ArrayList<>();
            Duration postgresTook = outcome(postgresStartup, failures);
            Duration rabbitTook = outcome(rabbitStartup, failures);
            if (!failures.isEmpty()) {
                shutdown.run();
                RuntimeException first = (failures.get(0) instanceof RuntimeException runtime)
                        ? runtime
                        : new IllegalStateException(failures.get(0));
                failures.stream().skip(1).forEach(first::addSuppressed);
                throw first;
            }
            return new Running(mode, postgres, rabbit, postgresTook, rabbitTook);
        }
    }

    private static Duration timed(Runnable action) {
        long began = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - began);
    }

    private static Duration outcome(Future<Duration> future, List<Throwable> failures) {
        try {
            return future.get();
        } catch (ExecutionException ex) {
            failures.add(ex.getCause());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            failures.add(ex);
        }
        return Duration.ZERO;
    }

    private static void inParallel(Runnable first, Runnable second) {
        Thread other =
                Thread.ofPlatform().name("orderly-test-infrastructure-stop").start(second);
        try {
            first.run();
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "Could not stop a test server cleanly", ex);
        }
        try {
            other.join(Duration.ofSeconds(60));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    private static byte[] bootstrapSql() {
        try (InputStream in = OrderlyInfrastructure.class.getResourceAsStream(BOOTSTRAP_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Classpath resource " + BOOTSTRAP_RESOURCE + " is missing: "
                        + "test-support's build copies it from deploy/postgres/bootstrap.sql; rebuild test-support.");
            }
            return in.readAllBytes();
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not read " + BOOTSTRAP_RESOURCE, ex);
        }
    }

    private static Optional<Path> postgresBinaries() {
        return ProcessPostgres.binaries();
    }

    /** Where Debian's erlang-base package puts epmd. */
    public static Optional<Path> epmd() {
        return Stream.of(Path.of("/usr/bin/epmd"), Path.of("/usr/lib/erlang/bin/epmd"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static List<String> missingPackages(Optional<Path> postgresBinaries, Optional<Path> epmd) {
        List<String> missing = new ArrayList<>();
        if (postgresBinaries.isEmpty()) {
            missing.add("/usr/lib/postgresql/<version>/bin/initdb (package postgresql)");
        }
        if (!Files.isExecutable(ProcessRabbit.SCRIPTS.resolve("rabbitmq-server"))) {
            missing.add(ProcessRabbit.SCRIPTS.resolve("rabbitmq-server") + " (package rabbitmq-server)");
        }
        if (epmd.isEmpty()) {
            missing.add("epmd (package erlang-base, a dependency of rabbitmq-server)");
        }
        if (Command.runningAsRoot() && !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
            missing.add("/usr/sbin/runuser (package util-linux), to run PostgreSQL as user postgres");
        }
        return missing;
    }
}
