package dev.orderly.tools;

import dev.orderly.overview.PipelineOverview;
import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.Service;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code ./orderly top}: the console's overview in the terminal ({@link PipelineOverview}, the same snapshot), redrawn
 * every 2 seconds until {@code q}: intake, completions, the SLO, stuck orders, each outbox, each queue, each worker,
 * what is parked. It reads the services with the local auth-server's {@code monitoring} token (metrics) and
 * {@code operator} token (the parking lots' groups), the broker as its monitoring user. {@code --once} prints one
 * snapshot and exits (also what it does when standard input is not a terminal).
 *
 * <p>Invariant: the terminal is left as it was found (echo and line mode restored), whichever way it ends.
 */
final class TopCommand {

    static final String USAGE = """
            Usage: ./orderly top [--once] [--interval SECONDS]

            The pipeline's overview, redrawn every 2 seconds (--interval): orders accepted and completed, the SLO,
            stuck orders, each outbox's backlog, each queue, each worker's rates, the parking lots' groups. q quits.
            --once prints one snapshot and exits (the default when standard input is not a terminal).
            """;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    /** Tokens live 10 minutes; a new one is asked for well before. */
    private static final Duration TOKEN_REFRESH = Duration.ofMinutes(5);

    private final StateDirectory state;
    private final Console console;
    private final TokenCommand tokens;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<AuthClient, String> token = new EnumMap<>(AuthClient.class);
    private final Map<AuthClient, Instant> tokenAt = new EnumMap<>(AuthClient.class);
    private final ReentrantLock tokenLock = new ReentrantLock();

    TopCommand(StateDirectory state, Console console) {
        this.state = state;
        this.console = console;
        this.tokens = new TokenCommand(state, console);
    }

    int run(List<String> args) {
        if (args.contains("-h") || args.contains("--help")) {
            console.print(USAGE);
            return 0;
        }
        // The shim says whether standard input and output are a terminal (a JDK 22+ has a console even when not).
        boolean once = args.contains("--once")
                || !"1".equals(System.getProperty("orderly.tty", System.console() == null ? "0" : "1"));
        long interval = 2;
        int at = args.indexOf("--interval");
        if (at >= 0) {
            try {
                interval = Long.parseLong(args.get(at + 1));
            } catch (IndexOutOfBoundsException | NumberFormatException e) {
                throw new OrderlyException("--interval takes a whole number of seconds");
            }
            if (interval < 1) {
                throw new OrderlyException("--interval takes a whole number of seconds, at least 1");
            }
        }
        if (!state.exists()) {
            throw new OrderlyException("nothing runs here: ./orderly up first");
        }
        PipelineOverview overview = overview();
        if (once) {
            console.print(String.join("\n", render(overview.snapshot(calls()), null, 0)));
            return 0;
        }
        Terminal terminal = Terminal.raw();
        Thread restore = new Thread(terminal::restore, "orderly-top-terminal");
        Runtime.getRuntime().addShutdownHook(restore);
        try {
            Map<String, Object> previous = null;
            while (true) {
                Map<String, Object> snapshot = overview.snapshot(calls());
                double seconds = previous == null
                        ? 0
                        : Duration.between(Instant.parse((String) previous.get("at")), Instant.parse((String)
                                                snapshot.get("at")))
                                        .toMillis()
                                / 1000.0;
                List<String> screen = render(snapshot, previous, seconds);
                console.out().print("\033[H\033[2J" + String.join("\n", screen) + "\n");
                console.out().flush();
                previous = snapshot;
                if (terminal.quitWithin(Duration.ofSeconds(interval))) {
                    return 0;
                }
            }
        } finally {
            terminal.restore();
            Runtime.getRuntime().removeShutdownHook(restore);
        }
    }

    private PipelineOverview overview() {
        Map<String, URI> workers = new LinkedHashMap<>();
        for (Service service : Service.values()) {
            service.domain().ifPresent(domain -> workers.put(domain, actuator(service)));
        }
        return new PipelineOverview(
                new PipelineOverview.Endpoints(
                        URI.create("http://127.0.0.1:" + state.port(Service.ORDER_API.portVariable())),
                        actuator(Service.ORDER_API),
                        actuator(Service.OUTBOX_RELAY),
                        workers,
                        "orderly"),
                new PipelineOverview.Slo(30.0, 0.95),
                Clock.systemUTC());
    }

    private URI actuator(Service service) {
        return URI.create("http://127.0.0.1:" + state.port(service.actuatorPortVariable()));
    }

    private PipelineOverview.Calls calls() {
        return new PipelineOverview.Calls() {
            @Override
            public PipelineOverview.Reply service(String service, URI uri) {
                // The parking lot answers parkinglot:read and the stuck orders orders:read-all (the operator client),
                // the metrics metrics:read (monitoring).
                AuthClient client = uri.getPath().startsWith("/actuator/parkinglot")
                                || uri.getPath().startsWith("/orders")
                        ? AuthClient.OPERATOR
                        : AuthClient.MONITORING;
                String bearer;
                try {
                    bearer = token(client);
                } catch (OrderlyException e) {
                    return PipelineOverview.Reply.noAnswer(e.getMessage());
                }
                return get(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + bearer), service);
            }

            @Override
            public PipelineOverview.Reply broker(String path) {
                String credentials = "orderly-monitoring:" + state.get("ORDERLY_RABBITMQ_MONITORING_PASSWORD");
                URI uri = URI.create(state.managementUrls().split(",")[0] + "/api/" + path);
                return get(
                        HttpRequest.newBuilder(uri)
                                .header(
                                        "Authorization",
                                        "Basic "
                                                + Base64.getEncoder()
                                                        .encodeToString(credentials.getBytes(StandardCharsets.UTF_8))),
                        "rabbitmq");
            }
        };
    }

    /**
     * A token of {@code client}'s, asked for again every few minutes. Under a lock, since a snapshot's parts call at
     * once; a ReentrantLock rather than synchronized, which would pin a virtual thread's carrier on Java 21 while the
     * token is fetched.
     */
    private String token(AuthClient client) {
        tokenLock.lock();
        try {
            Instant issued = tokenAt.get(client);
            if (issued == null || Duration.between(issued, Instant.now()).compareTo(TOKEN_REFRESH) > 0) {
                token.put(client, tokens.token(client));
                tokenAt.put(client, Instant.now());
            }
            return token.get(client);
        } finally {
            tokenLock.unlock();
        }
    }

    private PipelineOverview.Reply get(HttpRequest.Builder request, String service) {
        HttpRequest sent = request.timeout(Duration.ofSeconds(3)).GET().build();
        try {
            HttpResponse<String> answer = http.send(sent, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new PipelineOverview.Reply(answer.statusCode(), answer.body());
        } catch (IOException e) {
            return PipelineOverview.Reply.noAnswer(
                    service + " did not answer at " + sent.uri().getScheme() + "://"
                            + sent.uri().getAuthority() + " (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PipelineOverview.Reply.noAnswer("interrupted");
        }
    }

    // ---- the screen

    /** The screen's lines for {@code now}, rates against {@code before} ({@code seconds} earlier), if any. */
    @SuppressWarnings("unchecked")
    static List<String> render(Map<String, Object> now, Map<String, Object> before, double seconds) {
        List<String> lines = new ArrayList<>();
        lines.add("Orderly top   " + TIME.format(Instant.parse((String) now.get("at")))
                + "   (q quits; rates from the second screen on)");
        lines.add("");

        Map<String, Object> orders = (Map<String, Object>) now.get("orders");
        Map<String, Object> ordersBefore = before == null ? null : (Map<String, Object>) before.get("orders");
        Map<String, Object> order = worker(now, "order");
        Map<String, Object> orderBefore = before == null ? null : worker(before, "order");
        if (orders.containsKey("error")) {
            lines.add("Orders     ! " + orders.get("error"));
        } else {
            Map<String, Double> stuck = (Map<String, Double>) orders.get("stuck");
            double stuckTotal =
                    stuck.values().stream().mapToDouble(Double::doubleValue).sum();
            lines.add("Orders     accepted " + count(orders.get("accepted"))
                    + rate(
                            orders.get("accepted"),
                            ordersBefore == null ? null : ordersBefore.get("accepted"),
                            seconds,
                            "/s")
                    + "   completed " + count(order.get("completed"))
                    + rate(
                            order.get("completed"),
                            orderBefore == null ? null : orderBefore.get("completed"),
                            seconds,
                            "/s")
                    + "   stuck " + (stuckTotal == 0 ? "none" : stuckText(stuck, orders.get("stuckOldestAgeSeconds"))));
        }
        for (Map<String, Object> stuckOrder :
                (List<Map<String, Object>>) Objects.requireNonNullElse(orders.get("stuckOrders"), List.of())) {
            lines.add("           stuck: " + stuckOrder.get("order_id") + "  " + stuckOrder.get("status") + "  for "
                    + number(stuckOrder.get("age_seconds")) + " s");
        }
        Map<String, Object> slo = (Map<String, Object>) now.get("slo");
        double total = ((Number) slo.get("total")).doubleValue();
        double target = ((Number) slo.get("target")).doubleValue();
        if (total > 0) {
            double share = ((Number) slo.get("within")).doubleValue() / total;
            double left = 1 - (1 - share) / (1 - target);
            lines.add("SLO        events within " + number(slo.get("thresholdSeconds")) + " s: "
                    + String.format(Locale.ROOT, "%.2f %%", share * 100) + " (target "
                    + String.format(Locale.ROOT, "%.0f %%", target * 100) + "), error budget left "
                    + String.format(Locale.ROOT, "%.0f %%", Math.max(left, 0) * 100)
                    + (share < target ? "   ! BELOW THE TARGET" : ""));
            if (slo.get("worst") instanceof Map<?, ?> worst) {
                double worstShare =
                        ((Number) worst.get("within")).doubleValue() / ((Number) worst.get("total")).doubleValue();
                lines.add("           worst: " + worst.get("consumer") + " " + worst.get("eventType") + " "
                        + String.format(Locale.ROOT, "%.2f %%", worstShare * 100)
                        + (worstShare < target ? "   ! BELOW THE TARGET" : ""));
            }
        } else {
            lines.add("SLO        events: none handled yet");
        }
        lines.add("");

        Map<String, Object> outboxes = (Map<String, Object>) now.get("outboxes");
        if (outboxes.containsKey("error")) {
            lines.add("Outboxes   ! " + outboxes.get("error"));
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("outbox", "unpublished", "oldest s", "published/s", "lease", "failing"));
            List<Map<String, Object>> previousTables = before == null
                    ? List.of()
                    : (List<Map<String, Object>>)
                            ((Map<String, Object>) before.get("outboxes")).getOrDefault("tables", List.of());
            for (Map<String, Object> table : (List<Map<String, Object>>) outboxes.get("tables")) {
                Object published = previousTables.stream()
                        .filter(t -> Objects.equals(t.get("table"), table.get("table")))
                        .map(t -> t.get("published"))
                        .findFirst()
                        .orElse(null);
                rows.add(List.of(
                        (String) table.get("table"),
                        count(table.get("backlog")),
                        number(table.get("oldestAgeSeconds")),
                        rate(table.get("published"), published, seconds, "").strip(),
                        Boolean.TRUE.equals(table.get("leader")) ? "held" : "standby",
                        Boolean.TRUE.equals(table.get("failing")) ? "FAILING" : "no"));
            }
            table(lines, rows);
            lines.add("           relay: breaker " + outboxes.get("breaker")
                    + (Boolean.TRUE.equals(outboxes.get("blocked")) ? ", BLOCKED by the broker" : ", not blocked"));
        }
        lines.add("");

        Map<String, Object> queues = (Map<String, Object>) now.get("queues");
        if (queues.containsKey("error")) {
            lines.add("Queues     ! " + queues.get("error"));
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("queue", "ready", "unacked", "consumers", "acks/s"));
            for (Map<String, Object> queue : (List<Map<String, Object>>) queues.get("queues")) {
                if (((String) queue.get("name")).contains(".retry.")) {
                    continue;
                }
                rows.add(List.of(
                        (String) queue.get("name"),
                        count(queue.get("ready")),
                        count(queue.get("unacked")),
                        count(queue.get("consumers")),
                        number(queue.get("ackRate"))));
            }
            table(lines, rows);
        }
        lines.add("");

        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("worker", "processed/s", "retries/min", "parkings/min", "parked"));
        List<String> groups = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> worker : (List<Map<String, Object>>) now.get("workers")) {
            String name = worker.get("worker") + "-worker";
            if (worker.containsKey("error")) {
                problems.add(name + ": " + worker.get("error"));
                rows.add(List.of(name, "!", "", "", ""));
                continue;
            }
            Map<String, Object> was = before == null ? null : worker(before, (String) worker.get("worker"));
            Map<String, Object> messages = (Map<String, Object>) worker.get("messages");
            Map<String, Object> previous =
                    was == null ? Map.of() : (Map<String, Object>) was.getOrDefault("messages", Map.of());
            rows.add(List.of(
                    name,
                    rate(messages.get("processed"), previous.get("processed"), seconds, "")
                            .strip(),
                    rate(messages.get("retried"), previous.get("retried"), seconds / 60, "")
                            .strip(),
                    rate(messages.get("parked"), previous.get("parked"), seconds / 60, "")
                            .strip(),
                    worker.containsKey("parkedError") ? "!" : count(worker.get("parked"))));
            if (worker.containsKey("parkedError")) {
                problems.add(name + " parking lot: " + worker.get("parkedError"));
            }
            for (Map<String, Object> group :
                    (List<Map<String, Object>>) Objects.requireNonNullElse(worker.get("groups"), List.of())) {
                groups.add(worker.get("worker") + ".parking-lot  " + group.get("reason") + "  "
                        + Objects.requireNonNullElse(group.get("eventType"), "-") + "  x" + count(group.get("count"))
                        + "  newest " + TIME.format(Instant.parse((String) group.get("newest"))));
            }
        }
        table(lines, rows);
        lines.add("");
        if (groups.isEmpty()) {
            lines.add("Parked     nothing");
        } else {
            lines.add("Parked     (./orderly parking-lot WORKER list; the console replays and purges)");
            groups.forEach(group -> lines.add("           " + group));
        }
        problems.forEach(problem -> lines.add("! " + problem));
        return lines;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> worker(Map<String, Object> snapshot, String name) {
        return ((List<Map<String, Object>>) snapshot.get("workers"))
                .stream()
                        .filter(worker -> name.equals(worker.get("worker")))
                        .findFirst()
                        .orElse(Map.of());
    }

    /** Columns padded to their widest cell, under a first column of section names. */
    private static void table(List<String> lines, List<List<String>> rows) {
        int columns = rows.getFirst().size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("           ");
            for (int i = 0; i < columns; i++) {
                line.append(String.format(Locale.ROOT, "%-" + (widths[i] + 3) + "s", row.get(i)));
            }
            lines.add(line.toString().stripTrailing());
        }
    }

    private static String stuckText(Map<String, Double> stuck, Object oldest) {
        List<String> parts = new ArrayList<>();
        stuck.forEach((status, n) -> {
            if (n > 0) {
                parts.add(count(n) + " " + status);
            }
        });
        return String.join(", ", parts) + " (oldest " + number(oldest) + " s)   !";
    }

    /** {@code (x.y/s)} between two counter values, or "" without a previous one. */
    private static String rate(Object now, Object before, double seconds, String unit) {
        if (!(now instanceof Number current) || !(before instanceof Number previous) || seconds <= 0) {
            return "";
        }
        double rate = Math.max(0, (current.doubleValue() - previous.doubleValue()) / seconds);
        String text = String.format(Locale.ROOT, "%.1f", rate);
        return unit.isEmpty() ? " " + text : " (" + text + unit + ")";
    }

    private static String count(Object value) {
        return value instanceof Number n ? String.format(Locale.ROOT, "%,d", Math.round(n.doubleValue())) : "-";
    }

    private static String number(Object value) {
        return value instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue()) : "-";
    }

    /**
     * The controlling terminal in character mode without echo (through {@code stty}, the one portable way a JVM has),
     * so that one {@code q} quits without Enter; restored to the settings it had.
     */
    private static final class Terminal {

        private final String saved;
        private boolean restored;

        private Terminal(String saved) {
            this.saved = saved;
        }

        static Terminal raw() {
            String saved = stty("-g").strip();
            stty("-icanon", "-echo", "min", "0", "time", "0");
            return new Terminal(saved);
        }

        /** Whether {@code q} was pressed within {@code wait}. */
        boolean quitWithin(Duration wait) {
            long deadline = System.nanoTime() + wait.toNanos();
            InputStream in = System.in;
            try {
                while (System.nanoTime() < deadline) {
                    while (in.available() > 0) {
                        int key = in.read();
                        if (key == 'q' || key == 'Q' || key == -1) {
                            return true;
                        }
                    }
                    // Polling the keyboard, not synchronising with anything: a tenth of a second is imperceptible.
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                return false;
            } catch (IOException e) {
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        synchronized void restore() {
            if (!restored) {
                restored = true;
                stty(saved);
            }
        }

        private static String stty(String... arguments) {
            List<String> command = new ArrayList<>(List.of("stty"));
            command.addAll(List.of(arguments));
            try {
                Process stty = new ProcessBuilder(command)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                String out = new String(stty.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!stty.waitFor(5, TimeUnit.SECONDS) || stty.exitValue() != 0) {
                    throw new OrderlyException(
                            "top needs a terminal (stty " + String.join(" ", arguments) + " failed); try --once");
                }
                return out;
            } catch (IOException e) {
                throw new OrderlyException("top needs a terminal (stty failed: " + e.getMessage() + "); try --once");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OrderlyException("interrupted");
            }
        }
    }
}
