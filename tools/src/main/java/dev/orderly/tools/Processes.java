package dev.orderly.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stops what {@code up} recorded, by PID: asks each process to stop (SIGTERM), all at once, waits, and kills what is
 * left when the time is up.
 *
 * <p>Invariant: only recorded processes that still run their recorded command are signalled
 * ({@link StateDirectory#alive}); a record whose process is gone is simply removed.
 */
final class Processes {

    private Processes() {}

    static void stop(StateDirectory state, Console console, List<String> names, Duration within) {
        List<ProcessHandle> stopping = new ArrayList<>();
        List<String> stoppingNames = new ArrayList<>();
        for (String name : names) {
            Optional<ProcessHandle> process = state.alive(name);
            if (process.isPresent()) {
                if (!name.startsWith("rabbitmq") && !name.startsWith("postgres")) {
                    console.say("stopping " + name + " (pid " + process.get().pid() + ")");
                }
                process.get().destroy();
                stopping.add(process.get());
                stoppingNames.add(name);
            } else {
                state.forget(name);
            }
        }
        long deadline = System.nanoTime() + within.toNanos();
        for (int i = 0; i < stopping.size(); i++) {
            ProcessHandle process = stopping.get(i);
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                process.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                console.say(stoppingNames.get(i) + " did not stop in " + within.toSeconds() + "s: killing pid "
                        + process.pid());
                process.destroyForcibly();
                awaitQuietly(process, Duration.ofSeconds(10));
            } catch (ExecutionException e) {
                // onExit never completes exceptionally
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        names.forEach(state::forget);
    }

    private static void awaitQuietly(ProcessHandle process, Duration within) {
        try {
            process.onExit().get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // it was killed; the kernel reaps it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
