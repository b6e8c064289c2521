package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessPostgresTests {

    @Test
    void aZombieDoesNotRunThoughProcessHandleCallsItAlive() throws Exception {
        // The shell starts a child that exits at once, prints its PID and becomes `sleep`, which never reaps it: the
        // child stays a zombie, as a postmaster killed with kill -9 does until its parent reaps it.
        Process parent = new ProcessBuilder("sh", "-c", "true & echo $!; exec sleep 30").start();
        try {
            long pid;
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
                pid = Long.parseLong(out.readLine().strip());
                Path stat = Path.of("/proc", Long.toString(pid), "stat");
                await("child " + pid + " a zombie")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> Files.readString(stat).matches("(?s).*\\) Z .*"));
                ProcessHandle zombie = ProcessHandle.of(pid).orElseThrow();
                assertThat(zombie.isAlive()).isTrue();
                assertThat(ProcessPostgres.runs(zombie)).isFalse();
                assertThat(ProcessPostgres.runs(ProcessHandle.current())).isTrue();
            }
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }
}
