package dev.orderly.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/**
 * The few Docker operations Testcontainers does not offer as one call: stopping and starting a container in place
 * (same container, so same data and same fixed host ports), and running a command in it checked for success.
 *
 * <p>Invariant: every failure names the container's image and what was attempted.
 */
final class Containers {

    private Containers() {}

    /** Whether a Docker engine answers; false rather than an exception when none does. */
    static boolean dockerAvailable() {
        if (noSignOfDocker()) {
            // Testcontainers' own probe logs an ERROR when it finds nothing; on machines without any Docker
            // configuration that is noise in every test run, so it is only asked where Docker may exist.
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError ex) {
            return false;
        }
    }

    private static boolean noSignOfDocker() {
        String home = System.getProperty("user.home", "");
        return System.getenv("DOCKER_HOST") == null
                && !Files.exists(Path.of("/var/run/docker.sock"))
                && !Files.exists(Path.of(home, ".docker", "run", "docker.sock"))
                && !Files.exists(Path.of(home, ".testcontainers.properties"));
    }

    /** Port bindings {@code host:container} fixed up front, so a stopped and restarted container keeps its ports. */
    static void bindPorts(GenericContainer<?> container, int[] hostPorts, int... containerPorts) {
        String[] bindings = new String[containerPorts.length];
        for (int i = 0; i < containerPorts.length; i++) {
            bindings[i] = hostPorts[i] + ":" + containerPorts[i];
        }
        container.setPortBindings(List.of(bindings));
    }

    static void stop(GenericContainer<?> container) {
        if (isRunning(container)) {
            container
                    .getDockerClient()
                    .stopContainerCmd(container.getContainerId())
                    .withTimeout(30)
                    .exec();
        }
    }

    static void start(GenericContainer<?> container) {
        if (!isRunning(container)) {
            container
                    .getDockerClient()
                    .startContainerCmd(container.getContainerId())
                    .exec();
        }
    }

    private static boolean isRunning(GenericContainer<?> container) {
        Boolean running = container
                .getDockerClient()
                .inspectContainerCmd(container.getContainerId())
                .exec()
                .getState()
                .getRunning();
        return Boolean.TRUE.equals(running);
    }

    /**
     * Runs {@code command} in the container and returns its standard output.
     *
     * @throws IllegalStateException with the command's output if it exits with a non-zero code
     */
    static String exec(GenericContainer<?> container, String... command) {
        try {
            ExecResult result = container.execInContainer(command);
            if (result.getExitCode() != 0) {
                throw new IllegalStateException(
                        "'" + String.join(" ", command) + "' in " + container.getDockerImageName()
                                + " failed with exit code " + result.getExitCode() + ": " + result.getStdout()
                                + result.getStderr());
            }
            return result.getStdout();
        } catch (IOException ex) {
            throw new UncheckedIOException(
                    "Could not run '" + String.join(" ", command) + "' in " + container.getDockerImageName(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted running '" + String.join(" ", command) + "'", ex);
        }
    }
}
