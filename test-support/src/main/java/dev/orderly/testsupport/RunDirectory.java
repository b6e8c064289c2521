package dev.orderly.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The private directory of one JVM's test servers, and the record of every process started for them.
 *
 * <p>Lives under {@code target/orderly-infra/<run-id>} when the working directory has a {@code target} directory,
 * otherwise under {@code java.io.tmpdir}. Invariant: every long-running process is recorded (PID and exact command
 * line) as soon as it exists, so that a later JVM can remove it if this one dies without stopping it; and cleanup
 * kills only recorded PIDs whose command line still matches, and only of runs whose owning JVM is gone.
 */
final class RunDirectory implements ProcessRecorder {

    private static final System.Logger LOG = System.getLogger(RunDirectory.class.getName());

    private static final String OWNER_FILE = "owner";

    private static final String PIDS_FILE = "pids";

    private static final String PID_FILE_MARKER = "pidfile";

    /** A run directory without an owner file younger than this may be one another JVM is creating right now. */
    private static final Duration OWNERLESS_GRACE = Duration.ofMinutes(1);

    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final Path path;

    private RunDirectory(Path path) {
        this.path = path;
    }

    /** Creates this JVM's run directory, first cleaning up the leftovers of dead runs beside it. */
    static RunDirectory create() {
        Path base = baseDirectory();
        try {
            Files.createDirectories(base);
            openUp(base);
            removeLeftovers(base);
            ProcessHandle self = ProcessHandle.current();
            Path path = Files.createDirectory(
                    base.resolve(self.pid() + "-" + Long.toString(System.currentTimeMillis(), 36)));
            openUp(path);
            Files.writeString(path.resolve(OWNER_FILE), self.pid() + "\t" + startMillis(self) + "\n");
            return new RunDirectory(path);
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not create the test servers' run directory under " + base, ex);
        }
    }

    Path path() {
        return this.path;
    }

    /** Creates a sub-directory readable and traversable by the servers' service users. */
    Path directory(String name) {
        try {
            Path directory = Files.createDirectories(this.path.resolve(name));
            openUp(directory);
            return directory;
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not create " + this.path.resolve(name), ex);
        }
    }

    @Override
    public void record(String name, ProcessHandle process) {
        record(process);
    }

    @Override
    public void recordPidFile(String name, Path pidFile) {
        recordPidFile(pidFile);
    }

    /** Records a process this run started, with its current command line, for a later run's cleanup. */
    synchronized void record(ProcessHandle process) {
        Optional<String> commandLine = commandLine(process);
        if (commandLine.isEmpty()) {
            return;
        }
        try {
            Files.writeString(
                    this.path.resolve(PIDS_FILE),
                    process.pid() + "\t" + commandLine.get() + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not record process " + process.pid() + " in " + this.path, ex);
        }
    }

    /**
     * Records a PID file a server is about to write (PostgreSQL's {@code postmaster.pid}), so that a later run can
     * find the server even if this JVM dies after starting it but before {@link #record(ProcessHandle) recording} it.
     * Such a PID is only killed if its command line names this run directory.
     */
    synchronized void recordPidFile(Path pidFile) {
        try {
            Files.writeString(
                    this.path.resolve(PIDS_FILE),
                    PID_FILE_MARKER + "\t" + pidFile + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not record PID file " + pidFile + " in " + this.path, ex);
        }
    }

    /** Deletes the run directory; call only once every recorded process has stopped. */
    void delete() {
        deleteRecursively(this.path);
    }

    private static Path baseDirectory() {
        Path target = Path.of("").toAbsolutePath().resolve("target");
        Path tmp =
                Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("orderly-infra");
        if (!Files.isDirectory(target)) {
            return tmp;
        }
        Path base = target.resolve("orderly-infra");
        // PostgreSQL runs as its own user when we are root and must be able to reach its data directory.
        return (Command.runningAsRoot() && !traversableByAll(target)) ? tmp : base;
    }

    private static boolean traversableByAll(Path directory) {
        for (Path current = directory; current != null; current = current.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(current).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            } catch (IOException | UnsupportedOperationException ex) {
                return false;
            }
        }
        return true;
    }

    private static void openUp(Path directory) throws IOException {
        try {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException ex) {
            // Not a POSIX file system: process mode runs only on Linux, where this does not happen.
        }
    }

    private static void removeLeftovers(Path base) throws IOException {
        List<Path> runs;
        try (Stream<Path> children = Files.list(base)) {
            runs = children.filter(Files::isDirectory).toList();
        }
        for (Path run : runs) {
            if (ownedByLiveJvm(run)) {
                continue;
            }
            LOG.log(Level.INFO, "Removing leftovers of an earlier test run whose JVM is gone: {0}", run);
            killRecordedProcesses(run);
            deleteRecursively(run);
        }
    }

    private static boolean ownedByLiveJvm(Path run) {
        Path owner = run.resolve(OWNER_FILE);
        try {
            if (!Files.exists(owner)) {
                FileTime modified = Files.getLastModifiedTime(run);
                return modified.toInstant().isAfter(Instant.now().minus(OWNERLESS_GRACE));
            }
            String[] fields = Files.readString(owner).strip().split("\t");
            long pid = Long.parseLong(fields[0]);
            long started = Long.parseLong(fields[1]);
            return ProcessHandle.of(pid)
                    .map(process -> {
                        long actual = startMillis(process);
                        // Unknown start times count as "same JVM": better to leave a leftover than to kill a live run.
                        return (started < 0) || (actual < 0) || (Math.abs(actual - started) < 2_000);
                    })
                    .orElse(false);
        } catch (IOException | RuntimeException ex) {
            LOG.log(Level.WARNING, "Cannot tell whether " + run + " belongs to a live JVM; leaving it alone", ex);
            return true;
        }
    }

    /** Kills every still-running process recorded in {@code run}, all at once, then waits for them together. */
    private static void killRecordedProcesses(Path run) {
        Path pids = run.resolve(PIDS_FILE);
        if (!Files.exists(pids)) {
            return;
        }
        List<ProcessHandle> killed = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(pids, StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    continue;
                }
                String first = line.substring(0, tab);
                String recorded = line.substring(tab + 1);
                Optional<ProcessHandle> leftover = first.equals(PID_FILE_MARKER)
                        ? pidFrom(Path.of(recorded))
                                .flatMap(ProcessHandle::of)
                                .filter(process -> commandLine(process)
                                        .filter(command -> command.contains(run.toString()))
                                        .isPresent())
                        : ProcessHandle.of(Long.parseLong(first))
                                .filter(process -> commandLine(process)
                                        .filter(recorded::equals)
                                        .isPresent());
                leftover.filter(process -> !killed.contains(process)).ifPresent(process -> {
                    LOG.log(Level.INFO, "Killing leftover test server process " + process.pid());
                    process.destroyForcibly();
                    killed.add(process);
                });
            }
        } catch (IOException | RuntimeException ex) {
            LOG.log(Level.WARNING, "Could not clean up all processes recorded in " + pids, ex);
        }
        Instant deadline = Instant.now().plus(KILL_WAIT);
        for (ProcessHandle process : killed) {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || !awaitExit(process, left)) {
                LOG.log(Level.WARNING, "Leftover process " + process.pid() + " has not exited yet after SIGKILL");
            }
        }
    }

    private static Optional<Long> pidFrom(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (IOException | NumberFormatException ex) {
            return Optional.empty();
        }
    }

    /** Waits up to {@code timeout} for {@code process} to end; returns whether it did. */
    static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException ex) {
            return false;
        } catch (java.util.concurrent.ExecutionException ex) {
            return !process.isAlive();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** A process's full command line, its arguments joined by spaces, if it can still be read. */
    static Optional<String> commandLine(ProcessHandle process) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            String joined = new String(raw, StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .replace('\n', ' ')
                    .strip();
            return joined.isEmpty() ? Optional.empty() : Optional.of(joined);
        } catch (IOException ex) {
            return process.info()
                    .commandLine()
                    .map(line -> line.replace('\n', ' ').strip());
        }
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    private static void deleteRecursively(Path root) {
        try {
            FileTrees.delete(root);
        } catch (IOException | UncheckedIOException ex) {
            LOG.log(Level.WARNING, "Could not delete all of " + root + "; delete it by hand", ex);
        }
    }
}
