package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A postmaster killed with {@code kill -9} stays a zombie until its parent (the init of a machine or container) reaps
 * it, and its {@code postmaster.pid} stays behind: {@link ProcessPostgres} must neither take it for a server that runs
 * ({@code ./orderly failover} refused to promote the standby for it in a CI run) nor start a server while it holds the
 * lock file (PostgreSQL refuses: a zombie can be signalled, so the lock looks held). The zombie here is a real one,
 * whose PID is written where a killed postmaster leaves its own.
 */
class KilledPostmasterIntegrationTests {

    private static RunDirectory run;

    private static ProcessPostgres server;

    private static Path data;

    @BeforeAll
    static void aStoppedCluster() {
        Optional<Path> binaries = ProcessPostgres.binaries();
        assumeTrue(binaries.isPresent(), "PostgreSQL's packages are not installed (the tests run in containers)");
        run = RunDirectory.create();
        Path home = run.path().resolve("postgres");
        data = home.resolve("data");
        server = new ProcessPostgres(
                binaries.get(),
                new ProcessPostgres.Layout(data, home.resolve("postgres.log"), home.resolve("sockets")),
                FreePorts.pick(1)[0],
                Secrets.generate(),
                List.of("-c", "fsync=off"),
                run,
                PrivateCa.ensure(run.directory("tls"), List.of()),
                "postgres");
        server.initdb();
    }

    @AfterAll
    static void stop() {
        if (run != null) {
            server.shutdown();
            run.delete();
        }
    }

    @Test
    void aPostmasterNotYetReapedDoesNotRunAndAStartWaitsUntilItIsReaped() throws Exception {
        server.start();
        server.ensureDatabase();
        Path pidFile = data.resolve("postmaster.pid");
        List<String> lockFile = Files.readAllLines(pidFile);
        server.stop();

        try (Zombie zombie = new Zombie()) {
            List<String> killed = new ArrayList<>(lockFile);
            killed.set(0, Long.toString(zombie.pid()));
            Files.write(pidFile, killed);
            Files.setPosixFilePermissions(pidFile, PosixFilePermissions.fromString("rw-r--r--"));

            assertThat(zombie.handle().isAlive())
                    .as("a zombie is alive to ProcessHandle")
                    .isTrue();
            assertThat(server.running()).as("a zombie postmaster does not run").isFalse();
            assertThat(server.postmaster()).isEmpty();

            CompletableFuture<Void> start = CompletableFuture.runAsync(server::start);
            await("the start still waiting while the zombie holds postmaster.pid")
                    .during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> !start.isDone());
            zombie.release();
            start.get(ProcessPostgres.REAP_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);

            assertThat(ProcessHandle.of(zombie.pid()).filter(process -> !ProcessPostgres.runs(process)))
                    .as("the zombie reaped before the start returned")
                    .isEmpty();
        }
        assertThat(server.running()).isTrue();
        try (Connection connection = server.connectAsSuperuser()) {
            assertThat(connection.isValid(5)).isTrue();
        }
    }
}
