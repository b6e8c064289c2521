package dev.orderly.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.testsupport.AuthClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./orderly token} before it asks anything of the auth-server: an unknown client, or none, is refused with the
 * list of clients; no state directory, or no running auth-server, with what to do. (The system tests take real tokens
 * through it.)
 */
class TokenCommandTests {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private final Console console = new Console(
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));

    @Test
    void anUnknownClientIsRefusedListingTheClients(@TempDir Path root) {
        TokenCommand token = new TokenCommand(new StateDirectory(root), console);

        assertThatThrownBy(() -> token.run(List.of("admin")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("'admin' is not a client of the local auth-server")
                .hasMessageContaining("[shop, decline-demo, inventory-admin, operator, monitoring, console]");
        assertThatThrownBy(() -> token.run(List.of()))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("shop, decline-demo, inventory-admin, operator, monitoring");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void theConsoleIsRefusedSayingItsUsersSignInInABrowser(@TempDir Path root) {
        StateDirectory state = new StateDirectory(root);
        state.ensureSettings(Map.of("ORDERLY_PORTS", "free"));
        TokenCommand token = new TokenCommand(state, console);

        assertThatThrownBy(() -> token.run(List.of("console")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("'console' gets no token of its own")
                .hasMessageContaining("shop, decline-demo, inventory-admin, operator, monitoring")
                .hasMessageNotContaining(state.get(AuthClient.CONSOLE.secretKey()));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void beforeTheFirstUpItSaysToRunUp(@TempDir Path root) {
        TokenCommand token = new TokenCommand(new StateDirectory(root), console);

        assertThatThrownBy(() -> token.run(List.of("shop")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("./orderly up first");
    }

    @Test
    void withTheAuthServerDownItSaysHowToStartItAndPrintsNoSecret(@TempDir Path root) {
        StateDirectory state = new StateDirectory(root);
        state.ensureSettings(Map.of("ORDERLY_PORTS", "free"));
        TokenCommand token = new TokenCommand(state, console);

        assertThatThrownBy(() -> token.run(List.of("shop")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("the auth-server does not answer at http://127.0.0.1:")
                .hasMessageContaining("./orderly up starts it")
                .satisfies(
                        e -> assertThat(e.getMessage()).doesNotContain(state.get("ORDERLY_AUTH_CLIENTS_SHOP_SECRET")));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
