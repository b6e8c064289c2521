package dev.orderly.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command-line tool the deployment tests rely on, and says what to install when it is missing. */
final class Tool {

    /** The repository's root: the deployment artefacts are checked where they are, not copied. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Tool() {}

    /** What a finished command printed and how it exited. */
    record Result(int exitCode, String output) {}

    /**
     * Runs {@code command} in {@code directory}, at most {@code timeoutSeconds}.
     *
     * @throws IllegalStateException if the program is not installed, naming the package that provides it
     */
    static Result run(Path directory, String debianPackage, long timeoutSeconds, String... command) {
        requireInstalled(command[0], debianPackage);
        try {
            Process process = new ProcessBuilder(List.of(command))
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void requireInstalled(String program, String debianPackage) {
        List<Path> path = new ArrayList<>();
        for (String entry :
                System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            path.add(Path.of(entry, program));
        }
        if (path.stream().noneMatch(Files::isExecutable)) {
            throw new IllegalStateException(program + " is not installed: install it with 'apt-get install "
                    + debianPackage + "' (./orderly test does this for you).");
        }
    }
}
