package dev.orderly.tools;

import dev.orderly.testsupport.Service;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds the services' runnable jars when they are missing or a source changed since the last build this command made
 * ({@code ORDERLY_BUILD}: {@code auto}, the default; {@code never}, use the jars as they are, as the system tests do
 * after the reactor built them; {@code always}).
 *
 * <p>The jars carry the fixed timestamp of the reproducible build, so their own dates tell nothing: a stamp file
 * written after each build is what sources are compared with. Invariant: a jar is never rebuilt under a running
 * service.
 */
final class Build {

    /** The modules whose sources the services are built from. */
    private static final List<String> SOURCES = List.of(
            "auth-server",
            "common-contracts",
            "common-messaging",
            "order-api",
            "order-worker",
            "payment-worker",
            "shipping-worker",
            "outbox-relay",
            "console",
            "common-security",
            "common-overview");

    private final Path root;
    private final ServiceLauncher launcher;
    private final StateDirectory state;
    private final Console console;

    Build(Path root, ServiceLauncher launcher, StateDirectory state, Console console) {
        this.root = root;
        this.launcher = launcher;
        this.state = state;
        this.console = console;
    }

    void ensure(List<Service> services, String mode, boolean anyRunning) {
        List<Service> missing = services.stream()
                .filter(service -> !Files.exists(launcher.jar(service)))
                .toList();
        Path stamp = root.resolve("target").resolve("orderly-build.stamp");
        switch (mode) {
            case "never" -> {
                if (!missing.isEmpty()) {
                    throw new OrderlyException("No runnable jar for " + names(missing) + " (and ORDERLY_BUILD=never): "
                            + "build them with ./mvnw package -DskipTests");
                }
                return;
            }
            case "auto" -> {
                if (anyRunning || (missing.isEmpty() && Files.exists(stamp) && !sourcesNewerThan(stamp))) {
                    if (anyRunning && !missing.isEmpty()) {
                        throw new OrderlyException("No runnable jar for " + names(missing) + ", and services are "
                                + "running: ./orderly down first, then up builds them");
                    }
                    return;
                }
            }
            case "always" -> {}
            default ->
                throw new OrderlyException("ORDERLY_BUILD is auto (default), never or always; got '" + mode + "'");
        }
        Path log = state.logs().resolve("build.log");
        console.say("building the services (./mvnw package, tests skipped: ./orderly test runs them); log in " + log);
        try {
            Files.createDirectories(log.getParent());
            Files.createDirectories(stamp.getParent());
            FileTime began = FileTime.fromMillis(System.currentTimeMillis());
            List<String> command = new ArrayList<>(List.of(
                    root.resolve("mvnw").toString(),
                    "-q",
                    "-B",
                    "-Dmaven.test.skip=true",
                    "-Dspotless.check.skip=true",
                    "package",
                    "-pl",
                    String.join(
                            ",",
                            Service.all().stream().map(Service::serviceName).toList()),
                    "-am"));
            Process build = new ProcessBuilder(command)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(log.toFile())
                    .start();
            if (build.waitFor() != 0) {
                console.err().println(dev.orderly.testsupport.Command.tail(log, 40));
                throw new OrderlyException("the build failed: see " + log);
            }
            if (!Files.exists(stamp)) {
                Files.createFile(stamp);
            }
            Files.setLastModifiedTime(stamp, began);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not build the services", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrderlyException("interrupted while building the services");
        }
    }

    private boolean sourcesNewerThan(Path stamp) {
        try {
            FileTime built = Files.getLastModifiedTime(stamp);
            if (Files.getLastModifiedTime(root.resolve("pom.xml")).compareTo(built) > 0) {
                return true;
            }
            for (String module : SOURCES) {
                for (Path part : List.of(
                        root.resolve(module).resolve("pom.xml"),
                        root.resolve(module).resolve("src"))) {
                    if (!Files.exists(part)) {
                        continue;
                    }
                    try (Stream<Path> files = Files.walk(part)) {
                        if (files.anyMatch(file -> newer(file, built))) {
                            return true;
                        }
                    }
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean newer(Path file, FileTime than) {
        try {
            return Files.getLastModifiedTime(file).compareTo(than) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    private static String names(List<Service> services) {
        return String.join(", ", services.stream().map(Service::serviceName).toList());
    }
}
