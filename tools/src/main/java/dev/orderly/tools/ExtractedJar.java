package dev.orderly.tools;

import dev.orderly.testsupport.Command;
import dev.orderly.testsupport.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A service's runnable jar unpacked the way Spring Boot's tools extract it ({@code java -Djarmode=tools -jar X.jar
 * extract}): the application's jar beside its libraries, which the JVM's own class loader reads as plain jars instead of
 * jars nested in one. That takes about a third off every start (order-worker's context refresh, 2 cores: 14 s from the
 * fat jar, 9 s extracted), at each {@code ./orderly up} and each restart a failure drill makes.
 *
 * <p>Each extraction lives in {@code <module>/target/orderly-run/<digest>/}, the digest taken over the jar's entries (names,
 * sizes and CRCs: its central directory, not its 50 MB; the jars' own dates are the reproducible build's fixed one and say
 * nothing). Invariants: a rebuilt jar gets a directory of its own and a running service's is never rewritten; an
 * extraction is made in a temporary directory and moved into place in one step, so two pipelines started from one
 * checkout at once never run half of one; an older extraction is removed once no process on the machine runs from it.
 */
final class ExtractedJar {

    static final String DIRECTORY = "orderly-run";

    private static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(2);

    private ExtractedJar() {}

    /**
     * The application jar to run with {@code java -jar}, extracted from {@code jar} with {@code java} unless it was
     * already.
     */
    static Path of(Path jar, Path java, Console console) {
        Path base = jar.resolveSibling(DIRECTORY);
        Path directory = base.resolve(digest(jar));
        Path runnable = directory.resolve(jar.getFileName());
        if (Files.isRegularFile(runnable)) {
            return runnable;
        }
        console.say("extracting " + jar.getFileName() + " into " + directory + " (once per build: it starts faster)");
        Path temporary = base.resolve(".extracting-" + ProcessHandle.current().pid() + "-" + directory.getFileName());
        try {
            Files.createDirectories(base);
            deleteRecursively(temporary);
            Command.runChecked(
                    "extracting " + jar,
                    List.of(
                            java.toString(),
                            "-Djarmode=tools",
                            "-jar",
                            jar.toString(),
                            "extract",
                            "--destination",
                            temporary.toString()),
                    Map.of(),
                    EXTRACT_TIMEOUT);
            if (!Files.isRegularFile(temporary.resolve(jar.getFileName()))) {
                throw new OrderlyException("extracting " + jar + " left no " + jar.getFileName() + " in " + temporary);
            }
            try {
                Files.move(temporary, directory, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isRegularFile(runnable)) {
                    throw e;
                }
                // Another up extracted the same jar first (a directory that is not empty cannot be replaced): use its.
                deleteRecursively(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not extract " + jar + " into " + directory, e);
        } catch (IllegalStateException e) {
            deleteRecursively(temporary);
            throw new OrderlyException("Could not extract " + jar + ": " + e.getMessage(), e);
        }
        removeUnused(base, directory);
        return runnable;
    }

    /** A digest of the jar's central directory: every entry's name, size and CRC. */
    static String digest(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            zip.stream().forEach(entry -> update(digest, entry));
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + jar, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest digest, ZipEntry entry) {
        digest.update((entry.getName() + '\0' + entry.getSize() + '\0' + entry.getCrc() + '\n')
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the extractions beside {@code kept} that no live process has on its command line. */
    private static void removeUnused(Path base, Path kept) {
        List<String> commandLines = ProcessHandle.allProcesses()
                .map(process -> process.info().commandLine().orElse(""))
                .filter(line -> line.contains(base.toString()))
                .toList();
        try (Stream<Path> extractions = Files.list(base)) {
            extractions
                    .filter(Files::isDirectory)
                    .filter(extraction -> !extraction.equals(kept))
                    .filter(extraction -> !extraction.getFileName().toString().startsWith("."))
                    .filter(extraction -> commandLines.stream().noneMatch(line -> line.contains(extraction.toString())))
                    .forEach(ExtractedJar::deleteRecursively);
        } catch (IOException e) {
            // Only disk space is at stake: the next extraction tries again.
        }
    }

    private static void deleteRecursively(Path root) {
        try {
            FileTrees.delete(root);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not remove " + root, e);
        }
    }
}
