package dev.orderly.tools;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code ./orderly parking-lot WORKER list|show|replay|purge|audit}: a worker's parked messages through its
 * {@code /actuator/parkinglot} endpoint: {@code list}, {@code show} and {@code audit} as tables
 * ({@link ParkingLotTables}), or with {@code --json} the endpoint's answer as it is; {@code replay} and {@code purge}
 * print the answer.
 *
 * <p>Invariant: request bodies are built with Jackson and query parameters URL-encoded, so no argument (a quote, an
 * ampersand) can change what is asked; a replay or purge needs exactly one selection, and a purge its confirmation.
 */
final class ParkingLotCommand {

    static final String USAGE = """
            Usage: ./orderly parking-lot WORKER ACTION [options]        WORKER: order | payment | shipping

              list   [--page N] [--size N] [--event-type T] [--reason R]   parked messages, oldest first
              show   ID                                                      one message: headers, body, reason, exception
              replay --id ID | [--event-type T] [--reason R] | --all         back to WORKER.work (rate-limited, audited)
              purge  --id ID | [--event-type T] [--reason R] | --all --confirm WORKER.parking-lot   delete for good (audited)
              audit                                                          the last 100 replays and purges

            list, show and audit print a table for people; --json prints the worker's JSON answer as it is, for
            scripts (replay and purge always print it).

            Each worker's management port comes from .orderly/env or ORDERLY_<WORKER>_WORKER_PORT (defaults 8181, 8182,
            8183), its address from ORDERLY_<WORKER>_WORKER_ADDRESS (default 127.0.0.1).
            Each request carries a fresh token of the local auth-server's operator client (as ./orderly token operator);
            replays and purges are recorded with its subject, operator, as the actor. Elsewhere (a cluster, behind
            kubectl port-forward) set ORDERLY_TOKEN to your identity provider's token with the parkinglot scopes: it is
            sent instead, and its subject is the actor.""";

    /** A token to send instead of asking the local auth-server for one: where there is none, e.g. a cluster. */
    static final String TOKEN_VARIABLE = "ORDERLY_TOKEN";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final StateDirectory state;
    private final Map<String, String> environment;
    private final Console console;
    private final TokenCommand tokens;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ParkingLotCommand(StateDirectory state, Map<String, String> environment, Console console) {
        this.state = state;
        this.environment = environment;
        this.console = console;
        this.tokens = new TokenCommand(state, console);
    }

    int run(List<String> args) {
        if (args.size() < 2 || args.contains("-h") || args.contains("--help")) {
            console.print(USAGE);
            return args.contains("-h") || args.contains("--help") ? 0 : 1;
        }
        Service worker;
        try {
            worker = Service.forDomain(args.get(0));
        } catch (IllegalArgumentException e) {
            throw new OrderlyException(
                    "parking-lot takes a worker: order, payment or shipping (got '" + args.get(0) + "')");
        }
        String action = args.get(1);
        Options options = Options.parse(args.subList(2, args.size()));
        String base = base(worker);
        return switch (action) {
            case "list" -> {
                Map<String, String> query = new LinkedHashMap<>();
                options.value("page").ifPresent(page -> query.put("page", page));
                options.value("size").ifPresent(size -> query.put("size", size));
                options.value("event-type").ifPresent(type -> query.put("eventType", type));
                options.value("reason").ifPresent(reason -> query.put("reason", reason));
                yield show(
                        options,
                        send(worker, HttpRequest.newBuilder(uri(base, query)).GET(), base),
                        ParkingLotTables::list);
            }
            case "show" -> {
                if (options.positional().size() != 1) {
                    throw new OrderlyException(
                            "show takes one parked message id: ./orderly parking-lot " + args.get(0) + " show ID");
                }
                yield show(
                        options,
                        send(
                                worker,
                                HttpRequest.newBuilder(URI.create(base + "/"
                                                + encode(options.positional().get(0))))
                                        .GET(),
                                base),
                        ParkingLotTables::show);
            }
            case "audit" ->
                show(
                        options,
                        send(
                                worker,
                                HttpRequest.newBuilder(URI.create(base + "/audit"))
                                        .GET(),
                                base),
                        ParkingLotTables::audit);
            case "replay" -> {
                ObjectNode body = selection(options, "replay");
                console.print(send(
                        worker,
                        HttpRequest.newBuilder(URI.create(base))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))),
                        base));
                yield 0;
            }
            case "purge" -> {
                ObjectNode selection = selection(options, "purge");
                String confirm = options.value("confirm")
                        .orElseThrow(() -> new OrderlyException("purge deletes parked messages for good: add "
                                + "--confirm " + args.get(0) + ".parking-lot"));
                Map<String, String> query = new LinkedHashMap<>();
                selection
                        .properties()
                        .forEach(entry ->
                                query.put(entry.getKey(), entry.getValue().asString()));
                query.put("confirm", confirm);
                console.print(
                        send(worker, HttpRequest.newBuilder(uri(base, query)).DELETE(), base));
                yield 0;
            }
            default -> {
                console.print(USAGE);
                throw new OrderlyException("unknown parking-lot action: " + action);
            }
        };
    }

    private String base(Service worker) {
        String port = state.find(worker.portVariable())
                .orElse(environment.getOrDefault(worker.portVariable(), Integer.toString(worker.defaultPort())));
        String address = environment.getOrDefault(worker.addressVariable(), "127.0.0.1");
        return "http://" + address + ":" + port + "/actuator/parkinglot";
    }

    /** The one selection a replay or purge applies to, as the endpoint takes it. */
    private static ObjectNode selection(Options options, String action) {
        ObjectNode selection = JSON.createObjectNode();
        int chosen = 0;
        if (options.value("id").isPresent()) {
            String id = options.value("id").get();
            if (!id.matches("\\d+")) {
                throw new OrderlyException("--id takes a number");
            }
            selection.put("id", Long.parseLong(id));
            chosen++;
        }
        // An event type and a reason may go together: one group of the parking lot.
        if (options.value("event-type").isPresent()) {
            selection.put("eventType", options.value("event-type").get());
        }
        if (options.value("reason").isPresent()) {
            selection.put("reason", options.value("reason").get());
        }
        if (selection.has("eventType") || selection.has("reason")) {
            chosen++;
        }
        if (options.flag("all")) {
            selection.put("all", true);
            chosen++;
        }
        if (chosen != 1) {
            throw new OrderlyException(action + " needs exactly one of --id, --event-type and/or --reason, --all");
        }
        return selection;
    }

    /** Prints a successful answer as a table, or as it is with {@code --json}. */
    private int show(Options options, String answer, Function<JsonNode, String> table) {
        console.print(options.flag("json") ? answer : table.apply(JSON.readTree(answer)));
        return 0;
    }

    /** The worker's answer to {@code request}; an error answer is printed as it is and fails the command. */
    private String send(Service worker, HttpRequest.Builder request, String base) {
        // The worker's parking lot answers only the scopes parkinglot:read, :replay and :purge, which the operator
        // client has; the audit records the token's subject.
        String given = environment.get(TOKEN_VARIABLE);
        String token = given == null || given.isBlank() ? tokens.token(AuthClient.OPERATOR) : given.strip();
        request.header("Authorization", "Bearer " + token);
        HttpResponse<String> response;
        try {
            response = http.send(
                    request.timeout(Duration.ofMinutes(5)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new OrderlyException(
                    worker.serviceName() + " did not answer at " + base + ": is it running? (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrderlyException("interrupted");
        }
        if (response.statusCode() >= 400) {
            console.print(response.body());
            throw new OrderlyException(worker.serviceName() + " answered " + response.statusCode() + " (see above)");
        }
        return response.body();
    }

    private static URI uri(String base, Map<String, String> query) {
        if (query.isEmpty()) {
            return URI.create(base);
        }
        return URI.create(base + "?"
                + query.entrySet().stream()
                        .map(entry -> encode(entry.getKey()) + "=" + encode(entry.getValue()))
                        .collect(Collectors.joining("&")));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code --name value} options, {@code --all}, and positional arguments. */
    record Options(Map<String, String> values, List<String> flags, List<String> positional) {

        private static final List<String> FLAGS = List.of("all", "json");

        static Options parse(List<String> args) {
            Map<String, String> values = new LinkedHashMap<>();
            List<String> flags = new ArrayList<>();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.startsWith("--")) {
                    String name = arg.substring(2);
                    if (FLAGS.contains(name)) {
                        flags.add(name);
                    } else if (i + 1 < args.size()) {
                        values.put(name, args.get(++i));
                    } else {
                        throw new OrderlyException(arg + " needs a value");
                    }
                } else {
                    positional.add(arg);
                }
            }
            return new Options(values, flags, positional);
        }

        java.util.Optional<String> value(String name) {
            return java.util.Optional.ofNullable(values.get(name));
        }

        boolean flag(String name) {
            return flags.contains(name);
        }
    }
}
