package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ./orderly top} as a person runs it, in a real terminal (a private tmux server): it draws the overview,
 * counts an order placed while it runs, and ends on {@code q}; {@code --once} prints one snapshot for a script.
 */
@ExtendWith(PipelineExtension.class)
class TopIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Pipeline pipeline;
    private final Shop shop;

    TopIntegrationTests(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.shop = new Shop(pipeline);
    }

    @Test
    void topDrawsTheOverviewInATerminalCountsANewOrderQuitsOnQAndLeavesTheTerminalAsItWas() throws Exception {
        String server = "orderly-top-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            // A shell in a terminal, where a person types the command.
            tmux(server, "new-session", "-d", "-s", "top", "-x", "200", "-y", "60", "bash --norc --noprofile");
            tmux(server, "send-keys", "-t", "top", "-l", pipeline.shellCommand("top") + "; echo TOP-ENDED-$?");
            tmux(server, "send-keys", "-t", "top", "Enter");
            String first = await("top's first screen")
                    .atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () -> screen(server),
                            screen -> screen.contains("payment.work") && screen.contains("accepted"));
            assertThat(first).contains("Orders     accepted", "SLO", "orders.outbox", "order-worker", "Parked");
            long before = accepted(first);

            shop.awaitStatus(shop.place(shop.newSku(10), 1), "SHIPPED");

            await("the new order on top's screen")
                    .atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> accepted(screen(server)) == before + 1);
            tmux(server, "send-keys", "-t", "top", "q");
            await("top ended by q")
                    .atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> screen(server).contains("TOP-ENDED-0"));

            tmux(
                    server,
                    "send-keys",
                    "-t",
                    "top",
                    "-l",
                    "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo | sort | tr '\\n' ' '; echo STTY-END");
            tmux(server, "send-keys", "-t", "top", "Enter");
            await("the terminal's line mode and echo, back as they were")
                    .atMost(DEADLINE)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> screen(server).contains("echo icanon STTY-END"));
        } finally {
            run("tmux", "-L", server, "kill-server");
        }
    }

    @Test
    void onceItPrintsOneSnapshotAndEnds() {
        String snapshot = pipeline.orderly("top", "--once");

        assertThat(snapshot).contains("Orders     accepted", "payment.work", "shipping.outbox", "Parked");
    }

    /** The accepted orders on the screen ({@code accepted 1,234}), -1 if none is shown. */
    private static long accepted(String screen) {
        java.util.regex.Matcher accepted =
                java.util.regex.Pattern.compile("accepted ([0-9,]+)").matcher(screen);
        return accepted.find() ? Long.parseLong(accepted.group(1).replace(",", "")) : -1;
    }

    private static String screen(String server) {
        return run("tmux", "-L", server, "capture-pane", "-p", "-t", "top").out();
    }

    private static void tmux(String server, String... args) {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", server));
        command.addAll(List.of(args));
        Run result = run(command.toArray(String[]::new));
        assertThat(result.exit()).as("%s: %s", command, result.out()).isZero();
    }

    private record Run(int exit, String out) {}

    private static Run run(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within 30 s");
            }
            return new Run(process.exitValue(), out);
        } catch (IOException e) {
            throw new IllegalStateException("Could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
