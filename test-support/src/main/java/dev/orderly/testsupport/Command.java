package dev.orderly.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Runs one external command to completion with a deadline and reports its exit code and output.
 *
 * <p>Invariant: a command never outlives its deadline; it is killed, and the caller told, when it overruns. Output
 * goes to temporary files rather than pipes, so a daemon the command leaves behind (pg_ctl's postmaster) cannot hold
 * the call open.
 */
public final class Command {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private static final File NO_INPUT = new File("/dev/null");

    private Command() {}

    /** The outcome of a finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** The exit code, the command and its output, for an error message. */
        public String describe() {
            return "exit code " + this.exitCode + "\n  command: " + String.join(" ", this.command) + "\n  stdout: "
                    + this.stdout.strip() + "\n  stderr: " + this.stderr.strip();
        }
    }

    /** Whether this JVM runs as root, where PostgreSQL must be run as its own service user. */
    public static boolean runningAsRoot() {
        return ROOT;
    }

    /** This JVM's environment without the variables {@code drop} matches, as a start for a child's environment. */
    public static Map<String, String> inheritedEnvironment(Predicate<String> drop) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.keySet().removeIf(drop);
        return environment;
    }

    /** Runs {@code command} and returns its result whatever its exit code. */
    public static Result run(List<String> command, Map<String, String> environment, Duration timeout) {
        @Nullable Path stdout = null;
        @Nullable Path stderr = null;
        try {
            stdout = Files.createTempFile("orderly-command", ".out");
            stderr = Files.createTempFile("orderly-command", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(NO_INPUT)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within " + timeout
                        + " and was killed; its output so far: " + read(stdout) + read(stderr));
            }
            return new Result(List.copyOf(command), process.exitValue(), read(stdout), read(stderr));
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not run '" + String.join(" ", command) + "'", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running '" + String.join(" ", command) + "'", ex);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    /**
     * Runs {@code command} and returns its standard output.
     *
     * @param what what the command does, for the error message
     * @throws IllegalStateException with the command's output if it exits with a non-zero code
     */
    public static String runChecked(
            String what, List<String> command, Map<String, String> environment, Duration timeout) {
        Result result = run(command, environment, timeout);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(what + " failed with " + result.describe());
        }
        return result.stdout();
    }

    /** {@code command} prefixed to run as {@code user} when this JVM is root, otherwise unchanged. */
    public static List<String> asUser(String user, List<String> command) {
        if (!ROOT) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** The last {@code lines} lines of a log file, or a note saying why there are none. */
    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException ex) {
            return "(no log at " + file + ": " + ex.getMessage() + ")";
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(@Nullable Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ex) {
                // A temporary file left behind is harmless; the command's outcome matters more.
            }
        }
    }
}
