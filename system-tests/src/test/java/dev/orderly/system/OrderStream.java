package dev.orderly.system;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A bounded stream of orders posted to order-api at a modest fixed rate from background threads, while a failure drill
 * breaks something under it. It posts the way a careful client does: every order carries its own
 * {@code Idempotency-Key}, and a request that got no answer (connection refused, reset, timed out) or was turned away
 * for now (503 with {@code Retry-After}, or another 5xx) is sent again, with the same key and the same body, until it
 * is accepted or the stream's deadline passes. So an order whose answer was lost is neither lost nor placed twice.
 *
 * <p>The orders mix the outcomes of docs/design.md#the-flow: most are for two fresh SKUs with plenty of stock (they must ship), some
 * for a scarce SKU (they ship while its stock lasts, then are rejected), some from {@code decline-} customers (the
 * payment is declined, the order cancelled) and a few for a SKU that is for sale but out of stock (rejected by
 * order-worker; an unknown SKU would be refused at intake, and so never reach the pipeline a drill breaks). Orders send
 * no prices, order-api charges the catalogue's, and no customer: each is posted with a real token of the auth-server,
 * the {@code shop} client's, or {@code decline-demo}'s for the declined ones (its customer is the one payment-worker
 * declines), asked for again for each attempt so that a long drill outlives a token. Every idempotency key is unique to
 * one planned order, so the database can tell (by the key's row, and the drill's fresh SKUs) whether an order exists
 * exactly once.
 *
 * <p>Invariant: the stream never outlives its deadline or {@link #close()}; an order is recorded as accepted with the
 * order id of the first 202 it got, and a later 202 for the same key must name the same order.
 */
final class OrderStream implements AutoCloseable {

    /** Requests in flight at once: enough for the rate, few enough that a dead API is not hammered. */
    private static final int IN_FLIGHT = 6;

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(250);
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(5);

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    /** What a planned order is meant to exercise, and so which final states are right for it. */
    enum Kind {
        /** Plenty of stock, an approving customer: must be SHIPPED. */
        STOCKED,
        /** Wants the scarce SKU: SHIPPED while its stock lasts, REJECTED after. */
        SCARCE,
        /** A {@code decline-} customer's (client {@code decline-demo}): the payment is declined, the order CANCELLED. */
        DECLINED,
        /** A SKU for sale with no stock on hand: REJECTED. */
        OUT_OF_STOCK;

        boolean allows(String status) {
            return switch (this) {
                case STOCKED -> status.equals("SHIPPED");
                case SCARCE -> status.equals("SHIPPED") || status.equals("REJECTED");
                case DECLINED -> status.equals("CANCELLED");
                case OUT_OF_STOCK -> status.equals("REJECTED");
            };
        }
    }

    record Line(String sku, int quantity) {}

    /**
     * One order the stream will post as {@code client} (whose customer it is): its idempotency key is unique to it.
     */
    record Planned(int index, Kind kind, String client, String idempotencyKey, List<Line> lines) {

        static final String SHOP = "shop";
        static final String DECLINING_SHOP = "decline-demo";

        String body() {
            List<Map<String, Object>> items = new ArrayList<>();
            for (Line line : lines) {
                items.add(Map.of("sku", line.sku(), "quantity", line.quantity()));
            }
            return Http.JSON.writeValueAsString(Map.of("currency", "EUR", "lines", items));
        }
    }

    /**
     * The SKUs of one drill, fresh so that the drill alone moves their stock, all for sale: two with plenty, one scarce,
     * and one with none.
     */
    record Mix(
            String tag,
            String stockedA,
            String stockedB,
            String scarce,
            String outOfStock,
            Map<String, Integer> stock) {

        static final int PLENTY = 5_000;
        static final int SCARCE = 12;

        /**
         * Stocks and prices the drill's SKUs through {@code PUT /inventory/{sku}}; {@code tag} names the drill's data.
         */
        static Mix create(Shop shop, String tag) {
            String prefix = "DRL-" + tag.toUpperCase(Locale.ROOT);
            Mix mix = new Mix(
                    tag,
                    prefix + "-A",
                    prefix + "-B",
                    prefix + "-SCARCE",
                    prefix + "-NONE",
                    Map.of(
                            prefix + "-A",
                            PLENTY,
                            prefix + "-B",
                            PLENTY,
                            prefix + "-SCARCE",
                            SCARCE,
                            prefix + "-NONE",
                            0));
            mix.stock().forEach((sku, onHand) -> shop.setStock(sku, onHand, Shop.PRICE_CENTS));
            return mix;
        }

        /** The idempotency keys of this drill's orders: {@code drill-TAG-N}. */
        String keyPattern() {
            return "^drill-" + tag + "-[0-9]+$";
        }

        /** A deterministic mix: 76% stocked (some with two lines), 12% scarce, 8% declined, 4% out of stock. */
        Planned plan(int index) {
            String client = Planned.SHOP;
            String key = "drill-" + tag + "-" + index;
            return switch (index % 25) {
                case 3, 16 ->
                    new Planned(
                            index,
                            Kind.DECLINED,
                            Planned.DECLINING_SHOP,
                            key,
                            List.of(new Line(stockedA, 1 + index % 2)));
                case 7 -> new Planned(index, Kind.OUT_OF_STOCK, client, key, List.of(new Line(outOfStock, 1)));
                case 10, 20 -> new Planned(index, Kind.SCARCE, client, key, List.of(new Line(scarce, 1)));
                case 22 ->
                    new Planned(index, Kind.SCARCE, client, key, List.of(new Line(stockedB, 1), new Line(scarce, 1)));
                default ->
                    index % 5 == 0
                            ? new Planned(
                                    index,
                                    Kind.STOCKED,
                                    client,
                                    key,
                                    List.of(new Line(stockedA, 1), new Line(stockedB, 2)))
                            : new Planned(
                                    index,
                                    Kind.STOCKED,
                                    client,
                                    key,
                                    List.of(new Line(index % 2 == 0 ? stockedA : stockedB, 1 + index % 3)));
            };
        }
    }

    /** How the posting went, as the client saw it. */
    record Counts(
            int attempts, int refusedConnections, int lostAnswers, int unavailable, int serverErrors, int replays) {

        /** Requests that were not answered with 202 and were sent again. */
        int retried() {
            return refusedConnections + lostAnswers + unavailable + serverErrors;
        }

        @Override
        public String toString() {
            return "%d requests: %d connections refused, %d answers lost, %d × 503, %d other 5xx, %d idempotent replays"
                    .formatted(attempts, refusedConnections, lostAnswers, unavailable, serverErrors, replays);
        }
    }

    /**
     * The end of the stream: every planned order, the order id of each accepted one (by index), and why each other one
     * was not accepted.
     */
    record Outcome(
            Mix mix,
            List<Planned> planned,
            Map<Integer, String> accepted,
            Map<Integer, String> notAccepted,
            Counts counts,
            Duration took) {}

    private final String api;
    private final Function<String, String> tokens;
    private final Mix mix;
    private final List<Planned> planned;
    private final Duration interval;
    private final Instant deadline;
    private final ExecutorService posters = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slots = new Semaphore(IN_FLIGHT);
    private final Map<Integer, String> accepted = new ConcurrentHashMap<>();
    private final Map<Integer, String> notAccepted = new ConcurrentHashMap<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger refusedConnections = new AtomicInteger();
    private final AtomicInteger lostAnswers = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger serverErrors = new AtomicInteger();
    private final AtomicInteger replays = new AtomicInteger();
    private final Instant started = Instant.now();
    private final Thread dispatcher;
    private volatile boolean stopped;

    private OrderStream(
            String api, Function<String, String> tokens, Mix mix, int count, double perSecond, Duration within) {
        this.api = api;
        this.tokens = tokens;
        this.mix = mix;
        List<Planned> orders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            orders.add(mix.plan(i));
        }
        this.planned = List.copyOf(orders);
        this.interval = Duration.ofNanos((long) (1_000_000_000L / perSecond));
        this.deadline = started.plus(within);
        this.dispatcher =
                Thread.ofPlatform().name("order-stream-" + mix.tag()).daemon().unstarted(this::dispatch);
    }

    /**
     * Starts posting {@code count} orders at {@code perSecond} to the API at {@code api}, each with a token from
     * {@code tokens} (client id → access token); every order is accepted or given up within {@code within}.
     */
    static OrderStream start(
            String api, Function<String, String> tokens, Mix mix, int count, double perSecond, Duration within) {
        OrderStream stream = new OrderStream(api, tokens, mix, count, perSecond, within);
        stream.dispatcher.start();
        return stream;
    }

    int accepted() {
        return accepted.size();
    }

    /** Requests answered with anything but 202 (or not answered at all) so far. */
    int retried() {
        return counts().retried();
    }

    Counts counts() {
        return new Counts(
                attempts.get(),
                refusedConnections.get(),
                lostAnswers.get(),
                unavailable.get(),
                serverErrors.get(),
                replays.get());
    }

    /** Whether every planned order is accepted or given up (or the stream was closed): nothing more will happen. */
    boolean done() {
        return stopped || accepted.size() + notAccepted.size() >= planned.size();
    }

    /** Waits until at least {@code orders} orders have been accepted, or the stream is done. */
    void awaitAccepted(int orders, Duration within) {
        await("order stream " + mix.tag() + ": " + orders + " orders accepted")
                .atMost(within)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> accepted() >= orders || done());
    }

    /**
     * Waits until at least {@code more} requests more than now have been turned away or gone unanswered, or the stream
     * is done.
     */
    void awaitMoreRetries(int more, Duration within) {
        int target = retried() + more;
        await("order stream " + mix.tag() + ": " + more + " requests turned away")
                .atMost(within)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> retried() >= target || done());
    }

    /** Waits until every planned order was accepted or given up, and returns the outcome. */
    Outcome awaitEnd() {
        Duration left = Duration.between(Instant.now(), deadline).plus(REQUEST_TIMEOUT.multipliedBy(2));
        try {
            dispatcher.join(left.toMillis());
            posters.shutdown();
            if (!posters.awaitTermination(REQUEST_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS)) {
                throw new IllegalStateException("order stream " + mix.tag() + " did not end by its deadline");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for order stream " + mix.tag(), e);
        }
        return new Outcome(
                mix,
                planned,
                Map.copyOf(accepted),
                new TreeMap<>(notAccepted),
                counts(),
                Duration.between(started, Instant.now()));
    }

    /** Stops posting at once; orders not accepted by then stay not accepted. */
    @Override
    public void close() {
        stopped = true;
        dispatcher.interrupt();
        posters.shutdownNow();
        try {
            dispatcher.join(REQUEST_TIMEOUT.toMillis());
            posters.awaitTermination(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands each order to a poster at the fixed rate; waits for a free slot while the API is not answering. */
    private void dispatch() {
        Instant next = Instant.now();
        try {
            for (Planned order : planned) {
                Duration wait = Duration.between(Instant.now(), next);
                if (!wait.isNegative()) {
                    Thread.sleep(wait);
                }
                slots.acquire();
                if (stopped) {
                    slots.release();
                    return;
                }
                posters.execute(() -> {
                    try {
                        post(order);
                    } finally {
                        slots.release();
                    }
                });
                // A stream held back by a dead API resumes at its rate, not in a burst.
                Instant now = Instant.now();
                next = next.plus(interval).isBefore(now) ? now : next.plus(interval);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException rejected) {
            // the executor was shut down by close()
        }
    }

    /** Sends one order until it is accepted, refused for good (4xx), or the deadline passes. */
    private void post(Planned order) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + "/orders"))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Idempotency-Key", order.idempotencyKey())
                .POST(HttpRequest.BodyPublishers.ofString(order.body()));
        String last = "never sent";
        while (!stopped && Instant.now().isBefore(deadline)) {
            Duration pause = RETRY_PAUSE;
            attempts.incrementAndGet();
            try {
                HttpResponse<String> response = CLIENT.send(
                        request.setHeader("Authorization", "Bearer " + tokens.apply(order.client()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 202) {
                    accept(order, response);
                    return;
                }
                last = status + " " + response.body();
                if (status == 503) {
                    unavailable.incrementAndGet();
                    pause = retryAfter(response);
                } else if (status >= 500) {
                    serverErrors.incrementAndGet();
                } else {
                    notAccepted.put(order.index(), "refused for good: " + last);
                    return;
                }
            } catch (ConnectException e) {
                refusedConnections.incrementAndGet();
                last = "connection refused";
            } catch (IOException e) {
                // The request may have been taken and its answer lost: the same key finds it if so.
                lostAnswers.incrementAndGet();
                last = "no answer: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                // A client's back-off between attempts, not a synchronisation.
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        notAccepted.put(order.index(), "not accepted before the stream ended; last answer: " + last);
    }

    private void accept(Planned order, HttpResponse<String> response) {
        JsonNode body = Http.JSON.readTree(response.body());
        String orderId = body.path("order_id").asString();
        if (response.headers()
                .firstValue("Idempotent-Replayed")
                .map("true"::equalsIgnoreCase)
                .orElse(false)) {
            replays.incrementAndGet();
        }
        String first = accepted.putIfAbsent(order.index(), orderId);
        if (first != null && !first.equals(orderId)) {
            notAccepted.put(
                    order.index(), "the same Idempotency-Key was answered with two orders: " + first + ", " + orderId);
        }
    }

    private static Duration retryAfter(HttpResponse<String> response) {
        Duration asked = response.headers()
                .firstValue("Retry-After")
                .flatMap(OrderStream::seconds)
                .orElse(RETRY_PAUSE);
        return asked.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : asked;
    }

    private static java.util.Optional<Duration> seconds(String value) {
        try {
            return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }
}
