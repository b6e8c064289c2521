package dev.orderly.relay.routes;

import dev.orderly.contracts.Topology;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Knows whether every work queue an event type must reach ({@link Topology#SUBSCRIPTIONS}) is bound for it on
 * {@code orders.events}, and holds back the event types for which one is not.
 *
 * <p>Why: a topic exchange confirms a publish as soon as one queue took it. An event bound for order-worker and
 * shipping-worker while {@code shipping.work} does not exist (the deployment has not declared it yet, or someone
 * deleted it to change its {@code x-delivery-limit}) is confirmed, marked published, and lost for shipping: the
 * customer is charged and the order never ships. The broker cannot refuse such a partial route, so the relay asks
 * it, through the management API, which bindings {@code orders.events} has, every {@code check-interval}, and does not
 * publish an event type while one of its routes is missing, nor while it cannot tell.
 *
 * <p>Invariant: {@link #blockedReason} is null for an event type only if, at the last check (at most a few intervals
 * ago), every work queue the catalogue routes it to was bound for it. What remains is the window between a check and
 * a publish (a binding deleted in between); it is as wide as {@code check-interval}.
 */
final class RouteCheck implements RouteGuard {

    private static final Logger log = LoggerFactory.getLogger(RouteCheck.class);

    /** A check older than this many intervals no longer counts: the relay cannot tell any more. */
    private static final int STALE_AFTER_INTERVALS = 3;

    /**
     * The outcome of one look at the broker.
     *
     * @param missing per event type of the catalogue, the work queues not bound for it (only types with a gap)
     * @param error why the broker could not be asked, if it could not
     */
    record Snapshot(
            Map<String, List<String>> missing, @Nullable String error, Instant at) {}

    private final HttpClient http;
    /** The bindings resource of each node's management API, in the configured order. */
    private final List<URI> bindings;
    /** Which of {@link #bindings} answered last: asked first next time. */
    private volatile int answering;

    private final String authorization;
    private final String exchange;
    private final Duration interval;
    private final Duration timeout;
    private final List<Runnable> restoredListeners = new CopyOnWriteArrayList<>();
    private final JsonMapper json = JsonMapper.builder().build();
    private volatile @Nullable Snapshot snapshot;

    /**
     * @param managementUrls the RabbitMQ management API of each node, such as {@code http://127.0.0.1:15672}: any node
     *     of a cluster can list its bindings, so the one that answered last is asked first and the others when it does
     *     not answer (a node down must not hold back every event)
     * @param username a user the API lets list the virtual host's bindings (tag {@code management})
     */
    RouteCheck(
            List<String> managementUrls,
            String virtualHost,
            String exchange,
            String username,
            String password,
            Duration interval,
            Duration timeout,
            MeterRegistry meters) {
        this.exchange = exchange;
        this.interval = interval;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        if (managementUrls.isEmpty()) {
            throw new IllegalArgumentException("orderly.relay.routes.management-url names no management API");
        }
        this.bindings = managementUrls.stream()
                .map(String::strip)
                .map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url)
                .map(base -> URI.create(
                        base + "/api/exchanges/" + encode(virtualHost) + "/" + encode(exchange) + "/bindings/source"))
                .toList();
        this.authorization = "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        Gauge.builder("orderly.outbox.routes.missing", this, RouteCheck::missingCount)
                .description("Routes (event type to work queue) the catalogue needs and orders.events lacks; NaN while "
                        + "the relay cannot ask the broker. Events of a type with a missing route are not published")
                .register(meters);
    }

    /** Registers something to run when every route is back after one was missing (the drainers resume). */
    @Override
    public void onRestored(Runnable listener) {
        restoredListeners.add(listener);
    }

    /**
     * Why events of {@code eventType} must not be published now, or null if they may: every work queue the catalogue
     * routes them to was bound for them at the last check. Types outside the catalogue are never held back: nothing is
     * known to consume them, and the exchange's alternate exchange keeps what no queue takes.
     */
    @Override
    public @Nullable String blockedReason(String eventType) {
        List<String> expected = Topology.workQueuesFor(eventType);
        if (expected.isEmpty()) {
            return null;
        }
        Snapshot current = snapshot;
        if (current == null) {
            return "the relay has not yet checked that " + expected + " are bound for " + eventType + " on '" + exchange
                    + "'";
        }
        if (current.error() != null || isStale(current)) {
            return "the relay cannot check that " + expected + " are bound for " + eventType + " on '" + exchange
                    + "' (" + (current.error() != null ? current.error() : "last checked at " + current.at()) + ")";
        }
        List<String> missing = current.missing().get(eventType);
        if (missing == null || missing.isEmpty()) {
            return null;
        }
        return "no binding routes " + eventType + " from '" + exchange + "' to " + missing
                + ": it would be confirmed and lost for them. Import the deployment's topology "
                + "(helm/orderly/files/rabbitmq/topology.json)";
    }

    /** The last check's outcome, null before the first. */
    @Nullable
    Snapshot snapshot() {
        return snapshot;
    }

    /** Whether the last check is too old to rely on. */
    boolean isStale(Snapshot current) {
        return current.at().isBefore(Instant.now().minus(interval.multipliedBy(STALE_AFTER_INTERVALS)));
    }

    /** Asks the broker for the exchange's bindings now; run every {@code check-interval}. */
    void refresh() {
        Snapshot previous = snapshot;
        Snapshot now;
        try {
            now = new Snapshot(missing(bound()), null, Instant.now());
        } catch (IOException | RuntimeException e) {
            now = new Snapshot(Map.of(), describe(e), Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        snapshot = now;
        report(previous, now);
    }

    /**
     * The bindings, from the node that answered last or, when it does not answer (or answers with a server error), the
     * next one; the last failure if none answers.
     */
    private Set<String> bound() throws IOException, InterruptedException {
        IOException failure = null;
        int first = answering;
        for (int i = 0; i < bindings.size(); i++) {
            int index = (first + i) % bindings.size();
            try {
                Set<String> routes = bound(bindings.get(index));
                answering = index;
                return routes;
            } catch (IOException e) {
                if (failure != null) {
                    e.addSuppressed(failure);
                }
                failure = e;
            }
        }
        throw failure;
    }

    private Set<String> bound(URI bindings) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(bindings)
                        .timeout(timeout)
                        .header("Authorization", authorization)
                        .header("Accept", "application/json")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() == 404) {
            return Set.of(); // no such exchange: nothing is bound, every route is missing
        }
        if (response.statusCode() != 200) {
            throw new IOException("the management API answered " + response.statusCode() + " for " + bindings
                    + (response.statusCode() == 401
                            ? " (the relay's broker user needs the 'management' tag to list bindings)"
                            : ""));
        }
        Set<String> routes = new HashSet<>();
        for (JsonNode binding : json.readTree(response.body())) {
            if ("queue".equals(binding.path("destination_type").asString())) {
                routes.add(route(
                        binding.path("routing_key").asString(),
                        binding.path("destination").asString()));
            }
        }
        return routes;
    }

    private static Map<String, List<String>> missing(Set<String> bound) {
        Map<String, List<String>> missing = new LinkedHashMap<>();
        for (String eventType : Topology.SUBSCRIPTIONS.keySet()) {
            List<String> absent = new ArrayList<>();
            for (String queue : Topology.workQueuesFor(eventType)) {
                if (!bound.contains(route(eventType, queue))) {
                    absent.add(queue);
                }
            }
            if (!absent.isEmpty()) {
                missing.put(eventType, List.copyOf(absent));
            }
        }
        return Map.copyOf(missing);
    }

    private double missingCount() {
        Snapshot current = snapshot;
        if (current == null || current.error() != null || isStale(current)) {
            return Double.NaN;
        }
        return current.missing().values().stream().mapToInt(List::size).sum();
    }

    private void report(@Nullable Snapshot previous, Snapshot now) {
        if (now.error() != null) {
            if (previous == null || previous.error() == null) {
                log.error(
                        "Cannot check the bindings of '{}' ({}): the relay holds back every event type of the "
                                + "catalogue until it can, so that none is published to a route that is missing. "
                                + "Check orderly.relay.routes.management-url and that the relay's broker user has "
                                + "the 'management' tag.",
                        exchange,
                        now.error());
            }
            return;
        }
        if (!now.missing().isEmpty()) {
            if (previous == null
                    || previous.error() != null
                    || !previous.missing().equals(now.missing())) {
                now.missing()
                        .forEach((eventType, queues) -> log.error(
                                "No binding routes {} from '{}' to {}: the relay does not publish {} events until "
                                        + "there is (a publish would be confirmed and lost for them). The deployment "
                                        + "declares these (helm/orderly/files/rabbitmq/topology.json); import it "
                                        + "again.",
                                eventType,
                                exchange,
                                queues,
                                eventType));
            }
            return;
        }
        if (previous == null || previous.error() != null || !previous.missing().isEmpty()) {
            log.info("Every route of the catalogue is bound on '{}': publishing every event type", exchange);
            restoredListeners.forEach(Runnable::run);
        }
    }

    private static String route(String routingKey, String queue) {
        return routingKey + " -> " + queue;
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
