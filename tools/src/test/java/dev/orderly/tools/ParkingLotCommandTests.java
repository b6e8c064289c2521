package dev.orderly.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.orderly.testsupport.Service;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parking-lot command's arguments, and the token it sends. */
class ParkingLotCommandTests {

    @Test
    void optionsTakeValuesFlagsAndPositionalArguments() {
        ParkingLotCommand.Options options =
                ParkingLotCommand.Options.parse(List.of("--reason", "a \"quoted\" & odd reason", "--all", "42"));

        assertThat(options.value("reason")).hasValue("a \"quoted\" & odd reason");
        assertThat(options.flag("all")).isTrue();
        assertThat(options.positional()).containsExactly("42");
    }

    @Test
    void anOptionWithoutItsValueIsRefusedNamingIt() {
        assertThatThrownBy(() -> ParkingLotCommand.Options.parse(List.of("--event-type")))
                .isInstanceOf(OrderlyException.class)
                .hasMessageContaining("--event-type");
    }

    /**
     * Where there is no local auth-server (a cluster behind kubectl port-forward), ORDERLY_TOKEN is sent as it is; a
     * real HTTP server on loopback stands in for the worker's management port.
     */
    @Test
    void aGivenTokenIsSentInsteadOfTheLocalAuthServersOne(@TempDir Path root) throws Exception {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer worker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        worker.createContext("/actuator/parkinglot", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"page\":0,\"size\":20,\"total\":0,\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        worker.start();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Console console = new Console(
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
            Map<String, String> environment = Map.of(
                    Service.ORDER_WORKER.portVariable(),
                    Integer.toString(worker.getAddress().getPort()),
                    ParkingLotCommand.TOKEN_VARIABLE,
                    "  a-token-of-your-idp\n");

            int exit =
                    new ParkingLotCommand(new StateDirectory(root), environment, console).run(List.of("order", "list"));

            assertThat(exit).isZero();
            assertThat(authorizations).containsExactly("Bearer a-token-of-your-idp");
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"total\":0");
        } finally {
            worker.stop(0);
        }
    }
}
