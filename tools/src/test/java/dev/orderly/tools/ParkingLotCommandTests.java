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
import tools.jackson.databind.json.JsonMapper;

/** The parking-lot command's arguments, and the token it sends. */
class ParkingLotCommandTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

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
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("No parked messages (total 0).");

            out.reset();
            new ParkingLotCommand(new StateDirectory(root), environment, console)
                    .run(List.of("order", "list", "--json"));
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"total\":0");
        } finally {
            worker.stop(0);
        }
    }

    @Test
    void aPageIsATableOfAlignedColumnsWithWhereItIsInTheWhole() {
        String page = """
                {"page":0,"size":2,"total":3,"messages":[
                 {"id":7,"messageId":"e-1","eventType":"inventory.reserved","reason":"UNPARSEABLE",
                  "exception":"dev.orderly.contracts.InvalidEventException: not JSON\\nat line 1","attempts":1,
                  "originalRoutingKey":"payment.work","parkedAt":"2026-12-03T10:00:00Z"},
                 {"id":12,"messageId":null,"eventType":null,"reason":"DELIVERY_LIMIT","exception":null,"attempts":null,
                  "originalRoutingKey":"payment.work","parkedAt":"2026-12-03T10:05:00Z"}]}""";

        List<String> lines = ParkingLotTables.list(JSON.readTree(page)).lines().toList();

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("ID  PARKED AT").contains("REASON").contains("EXCEPTION");
        assertThat(lines.get(1))
                .startsWith("7   2026-12-03T10:00:00Z")
                .contains("UNPARSEABLE")
                .as("the exception on one line, cut at 60 characters")
                .endsWith("InvalidEventException: not JSON at li…");
        assertThat(lines.get(2))
                .startsWith("12  2026-12-03T10:05:00Z")
                .contains("DELIVERY_LIMIT")
                .endsWith("-");
        assertThat(lines.get(0).indexOf("REASON"))
                .as("aligned")
                .isEqualTo(lines.get(1).indexOf("UNPARSEABLE"))
                .isEqualTo(lines.get(2).indexOf("DELIVERY_LIMIT"));
        assertThat(lines.get(3)).isEqualTo("page 1 of 2, 3 parked in all (next: --page 1)");
    }

    @Test
    void oneMessageShowsItsFieldsSortedHeadersAndItsBodyPrettyPrinted() {
        String detail = """
                {"summary":{"id":7,"messageId":"e-1","eventType":"order.created","reason":"PERMANENT_FAILURE",
                  "exception":"java.lang.IllegalStateException: no order","attempts":1,
                  "originalRoutingKey":"order.created","parkedAt":"2026-12-03T10:00:00Z"},
                 "properties":{},"headers":{"orderly-failure-reason":"PERMANENT_FAILURE","orderly-attempts":1},
                 "body":"{\\"event_id\\":\\"e-1\\"}","bodyEncoding":"utf-8"}""";

        String shown = ParkingLotTables.show(JSON.readTree(detail));

        assertThat(shown)
                .contains("reason                PERMANENT_FAILURE")
                .contains("exception             java.lang.IllegalStateException: no order")
                .contains("body (utf-8):");
        assertThat(shown.indexOf("orderly-attempts")).isLessThan(shown.indexOf("orderly-failure-reason"));
        assertThat(shown).contains("\"event_id\" : \"e-1\"");
    }

    @Test
    void theAuditIsATableNewestFirstAsAnswered() {
        String audit = """
                {"audit":[{"id":2,"actor":"operator","action":"PURGE","selection":"id=7","affected":1,
                  "outcome":"COMPLETE","detail":null,"at":"2026-12-03T10:10:00Z"},
                 {"id":1,"actor":"operator","action":"REPLAY","selection":"reason=UNPARSEABLE","affected":3,
                  "outcome":"THROTTLED","detail":"rate limit","at":"2026-12-03T10:09:00Z"}]}""";

        List<String> lines =
                ParkingLotTables.audit(JSON.readTree(audit)).lines().toList();

        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("AT").contains("ACTOR").contains("OUTCOME");
        assertThat(lines.get(1))
                .contains("operator")
                .contains("PURGE")
                .contains("id=7")
                .endsWith("-");
        assertThat(lines.get(2)).contains("REPLAY").contains("THROTTLED").endsWith("rate limit");
        assertThat(ParkingLotTables.audit(JSON.readTree("{\"audit\":[]}")))
                .isEqualTo("No replays or purges recorded yet.");
    }
}
