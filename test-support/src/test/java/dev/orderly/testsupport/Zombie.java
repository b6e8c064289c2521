package dev.orderly.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real zombie, as a postmaster killed with {@code kill -9} is until its parent reaps it: a shell starts a child
 * ({@code sleep}), prints its PID and becomes {@code cat}, which never reaps a child; the child is then killed with
 * {@code SIGKILL}. {@link #release()} ends {@code cat}; the zombie is then reparented to the machine's init, which reaps
 * it.
 */
final class Zombie implements AutoCloseable {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final Process parent;

    private final long pid;

    Zombie() throws IOException {
        this.parent = new ProcessBuilder("sh", "-c", "sleep 600 & echo $!; exec cat").start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(this.parent.getInputStream(), StandardCharsets.UTF_8));
        this.pid = Long.parseLong(out.readLine().strip());
        // Killed before the shell has become cat, the child could be reaped by the shell.
        Path parentCommand = Path.of("/proc", Long.toString(this.parent.pid()), "cmdline");
        await("the shell " + this.parent.pid() + " become cat")
                .atMost(DEADLINE)
                .until(() -> Files.readString(parentCommand).startsWith("cat"));
        ProcessHandle.of(this.pid).orElseThrow().destroyForcibly();
        Path stat = Path.of("/proc", Long.toString(this.pid), "stat");
        await("child " + this.pid + " a zombie")
                .atMost(DEADLINE)
                .until(() -> Files.readString(stat).matches("(?s).*\\) Z .*"));
    }

    long pid() {
        return this.pid;
    }

    ProcessHandle handle() {
        return ProcessHandle.of(this.pid).orElseThrow();
    }

    /** Ends the zombie's parent, so that init reaps it. */
    void release() throws IOException {
        this.parent.getOutputStream().close();
    }

    @Override
    public void close() throws InterruptedException {
        this.parent.destroyForcibly().waitFor();
    }
}
