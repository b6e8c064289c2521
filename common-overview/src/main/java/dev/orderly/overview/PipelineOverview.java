package dev.orderly.overview;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One snapshot of the pipeline, each part with where it came from ({@code source}) and, if that did not answer or
 * refused, why ({@code error}) instead of numbers: order-api's intake and stuck orders, each outbox, each queue, each
 * worker's outcomes and parking lot, and the event-age objective. Counters are totals since each service started; the
 * reader turns two snapshots into rates.
 *
 * <p>The console's page ({@code GET /api/overview}) and {@code ./orderly top} both show this one snapshot: the caller
 * makes each call ({@link Calls}) with its own credentials (the console the signed-in user's token, {@code top} the
 * local run's clients').
 *
 * <p>Invariant: a part that fails never fails the others, nor the snapshot.
 */
public final class PipelineOverview {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What a call answered: its status and body, or why nothing answered (then status is 502). */
    public record Reply(int status, String body, String noAnswer) {

        public Reply(int status, String body) {
            this(status, body, "");
        }

        public static Reply noAnswer(String why) {
            return new Reply(502, "", why);
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** The calls a snapshot makes. */
    public interface Calls {
        /** {@code GET uri} of {@code service}'s (order-api, outbox-relay, payment-worker, ...). */
        Reply service(String service, URI uri);

        /** {@code GET} of the broker's management API under {@code /api/}, e.g. {@code queues/orderly?columns=...}. */
        Reply broker(String path);
    }

    /**
     * Where each part answers.
     *
     * @param orderApi order-api's API (the stuck orders, {@code GET /orders/stuck})
     * @param orderApiManagement order-api's management side
     * @param relay the relay's management side
     * @param workers each worker's management side, by domain
     * @param virtualHost the broker's virtual host of the pipeline
     */
    public record Endpoints(
            URI orderApi, URI orderApiManagement, URI relay, Map<String, URI> workers, String virtualHost) {}

    /** How many stuck orders a snapshot lists (the oldest); the gauge counts them all. */
    static final int STUCK_LISTED = 10;

    /**
     * The objective: {@code target} of the events each consumer handles, of every type, handled within
     * {@code thresholdSeconds} of occurring (the alert rules' event-age SLO, one ratio per consumer and event type).
     */
    public record Slo(double thresholdSeconds, double target) {}

    private final Endpoints endpoints;
    private final Slo slo;
    private final Clock clock;

    public PipelineOverview(Endpoints endpoints, Slo slo, Clock clock) {
        this.endpoints = endpoints;
        this.slo = slo;
        this.clock = clock;
    }

    /**
     * One snapshot, read now through {@code calls}: each part on a virtual thread of its own, so that a source that
     * does not answer delays the snapshot by its own timeout once, not once per part after it. {@code calls} must take
     * calls from several threads at once.
     */
    public Map<String, Object> snapshot(Calls calls) {
        Map<String, Object> overview = new LinkedHashMap<>();
        overview.put("at", clock.instant().toString());
        try (ExecutorService parts = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Map<String, Object>> orders = parts.submit(() -> orders(calls));
            Future<Map<String, Object>> outboxes = parts.submit(() -> outboxes(calls));
            Future<Map<String, Object>> queues = parts.submit(() -> queues(calls));
            Map<String, Future<Map<String, Object>>> byWorker = new TreeMap<>();
            endpoints
                    .workers()
                    .keySet()
                    .forEach(worker -> byWorker.put(worker, parts.submit(() -> worker(calls, worker))));
            overview.put("orders", joined(orders, "order-api"));
            overview.put("outboxes", joined(outboxes, "outbox-relay"));
            overview.put("queues", joined(queues, "rabbitmq"));
            List<Map<String, Object>> workers = new ArrayList<>();
            byWorker.forEach((worker, part) -> {
                Map<String, Object> read = joined(part, worker + "-worker");
                read.putIfAbsent("worker", worker);
                workers.add(read);
            });
            overview.put("workers", workers);
            overview.put("slo", slo(workers));
        }
        return overview;
    }

    /** The part {@code read} made, or, if it failed unexpectedly, a part that says so (never the whole snapshot). */
    private static Map<String, Object> joined(Future<Map<String, Object>> read, String service) {
        try {
            return read.get();
        } catch (ExecutionException e) {
            Map<String, Object> part = part(service);
            part.put("error", "reading " + service + " failed: " + e.getCause());
            return part;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Map<String, Object> part = part(service);
            part.put("error", "interrupted while reading " + service);
            return part;
        }
    }

    private Map<String, Object> orders(Calls calls) {
        Map<String, Object> part = part("order-api /actuator/prometheus");
        Reply answer = metrics(calls, endpoints.orderApiManagement(), "order-api");
        if (!answer.ok()) {
            return failed(part, "order-api", answer);
        }
        PrometheusText metrics = PrometheusText.parse(answer.body());
        part.put("accepted", metrics.sum("orderly_orders_accepted_total"));
        Map<String, Double> stuck = new TreeMap<>();
        metrics.samples("orderly_orders_stuck")
                .forEach(sample ->
                        stuck.merge(sample.labels().getOrDefault("status", "?"), sample.value(), Double::sum));
        part.put("stuck", stuck);
        part.put("stuckOldestAgeSeconds", metrics.sum("orderly_orders_stuck_oldest_age_seconds"));
        part.put("outboxBacklog", metrics.sum("orderly_api_outbox_backlog"));
        part.put("backpressure", metrics.sum("orderly_api_backpressure_active") > 0);
        if (stuck.values().stream().anyMatch(count -> count > 0)) {
            // The oldest of them by id, for a link each (GET /orders/stuck needs orders:read-all).
            Reply listed = calls.service("order-api", at(endpoints.orderApi(), "/orders/stuck?limit=" + STUCK_LISTED));
            try {
                if (listed.ok()) {
                    part.put(
                            "stuckOrders",
                            JSON.convertValue(JSON.readTree(listed.body()).path("orders"), List.class));
                } else {
                    part.put("stuckOrdersError", listed.status() + " " + detail(listed));
                }
            } catch (RuntimeException e) {
                part.put("stuckOrdersError", "order-api answered GET /orders/stuck with what is not JSON");
            }
        }
        return part;
    }

    private Map<String, Object> outboxes(Calls calls) {
        Map<String, Object> part = part("outbox-relay /actuator/prometheus");
        Reply answer = metrics(calls, endpoints.relay(), "outbox-relay");
        if (!answer.ok()) {
            return failed(part, "outbox-relay", answer);
        }
        PrometheusText metrics = PrometheusText.parse(answer.body());
        List<Map<String, Object>> tables = new ArrayList<>();
        metrics.samples("orderly_outbox_backlog").forEach(backlog -> {
            String source = backlog.labels().getOrDefault("source", "?");
            Map<String, Object> table = new LinkedHashMap<>();
            table.put("table", source);
            table.put("backlog", backlog.value());
            table.put("oldestAgeSeconds", metrics.sum("orderly_outbox_oldest_age_seconds", of(source)));
            table.put("leader", metrics.sum("orderly_outbox_lease", of(source)) > 0);
            table.put("failing", metrics.sum("orderly_outbox_failing", of(source)) > 0);
            table.put("published", metrics.sum("orderly_outbox_published_total", of(source)));
            tables.add(table);
        });
        part.put("tables", tables);
        part.put("blocked", metrics.sum("orderly_outbox_blocked") > 0);
        part.put("routesMissing", metrics.sum("orderly_outbox_routes_missing"));
        List<String> open = metrics
                .samples(
                        "resilience4j_circuitbreaker_state",
                        labels -> !"closed".equals(labels.get("state")) && !"disabled".equals(labels.get("state")))
                .stream()
                .filter(sample -> sample.value() > 0)
                .map(sample -> sample.labels().getOrDefault("name", "?") + " "
                        + sample.labels().get("state"))
                .toList();
        part.put("breaker", open.isEmpty() ? "closed" : String.join(", ", open));
        return part;
    }

    private static java.util.function.Predicate<Map<String, String>> of(String source) {
        return labels -> source.equals(labels.get("source"));
    }

    private Map<String, Object> queues(Calls calls) {
        String vhost = endpoints.virtualHost();
        Map<String, Object> part = part("RabbitMQ management API /api/queues/" + vhost);
        Reply answer = calls.broker(
                "queues/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8).replace("+", "%20")
                        + "?columns=name,messages_ready,messages_unacknowledged,consumers,"
                        + "message_stats.ack_details.rate,message_stats.ack_details.avg_rate"
                        // avg_rate: over the last minute, in 10 s samples. Consumers that acknowledge a batch at a
                        // time leave the current rate at 0 between batches; a minute's average is their pace.
                        + "&msg_rates_age=60&msg_rates_incr=10");
        if (!answer.ok()) {
            return failed(part, "rabbitmq", answer);
        }
        JsonNode listed;
        try {
            listed = JSON.readTree(answer.body());
        } catch (RuntimeException e) {
            part.put("error", "rabbitmq answered " + answer.status() + " with what is not JSON: " + detail(answer));
            return part;
        }
        List<Map<String, Object>> queues = new ArrayList<>();
        for (JsonNode queue : listed) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", queue.path("name").asString());
            row.put("ready", queue.path("messages_ready").asLong());
            row.put("unacked", queue.path("messages_unacknowledged").asLong());
            row.put("consumers", queue.path("consumers").asLong());
            JsonNode acks = queue.path("message_stats").path("ack_details");
            row.put("ackRate", acks.path("rate").asDouble());
            row.put("ackRateMinute", acks.path("avg_rate").asDouble());
            queues.add(row);
        }
        queues.sort((a, b) -> ((String) a.get("name")).compareTo((String) b.get("name")));
        part.put("queues", queues);
        return part;
    }

    private Map<String, Object> worker(Calls calls, String worker) {
        String service = worker + "-worker";
        Map<String, Object> part = part(service + " /actuator/prometheus and /actuator/parkinglot/groups");
        part.put("worker", worker);
        URI base = endpoints.workers().get(worker);
        Reply answer = metrics(calls, base, service);
        if (!answer.ok()) {
            return failed(part, service, answer);
        }
        PrometheusText metrics = PrometheusText.parse(answer.body());
        Map<String, Double> outcomes = new TreeMap<>();
        metrics.samples("orderly_consumer_messages_total")
                .forEach(sample ->
                        outcomes.merge(sample.labels().getOrDefault("outcome", "?"), sample.value(), Double::sum));
        part.put("messages", outcomes);
        // Only order-worker records orders reaching a final state (SHIPPED, CANCELLED, ...).
        part.put("completed", metrics.sum("orderly_order_completion_seconds_count"));
        // Micrometer writes a bucket's bound as a double: le="30.0". One stage per event type this worker handles.
        String le = Double.toString(slo.thresholdSeconds());
        Map<String, double[]> stages = new TreeMap<>();
        metrics.samples("orderly_event_age_seconds_count")
                .forEach(sample -> stages.computeIfAbsent(
                                        sample.labels().getOrDefault("event_type", "?"), type -> new double[2])[1] +=
                        sample.value());
        metrics.samples("orderly_event_age_seconds_bucket", labels -> le.equals(labels.get("le")))
                .forEach(sample -> stages.computeIfAbsent(
                                        sample.labels().getOrDefault("event_type", "?"), type -> new double[2])[0] +=
                        sample.value());
        List<Map<String, Object>> slos = new ArrayList<>();
        stages.forEach((eventType, counts) -> {
            Map<String, Object> stage = new LinkedHashMap<>();
            stage.put("consumer", worker);
            stage.put("eventType", eventType);
            stage.put("within", counts[0]);
            stage.put("total", counts[1]);
            slos.add(stage);
        });
        part.put("slo", slos);
        Reply groups = calls.service(service, at(base, "/actuator/parkinglot/groups"));
        JsonNode list = null;
        if (groups.ok()) {
            try {
                list = JSON.readTree(groups.body()).path("groups");
            } catch (RuntimeException e) {
                groups = new Reply(502, "", service + " answered its parking lot's groups with what is not JSON");
            }
        }
        if (list != null) {
            part.put("groups", JSON.convertValue(list, List.class));
            long parked = 0;
            for (JsonNode group : list) {
                parked += group.path("count").asLong();
            }
            part.put("parked", parked);
        } else {
            part.put("parkedError", groups.status() + " " + detail(groups));
        }
        return part;
    }

    /**
     * Every worker's stages summed, and the worst stage: the consumer and event type with the smallest share within
     * the threshold (what the burn-rate alerts single out), if any stage has handled an event late.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> slo(List<Map<String, Object>> workers) {
        double within = 0;
        double total = 0;
        Map<String, Object> worst = null;
        for (Map<String, Object> worker : workers) {
            if (!(worker.get("slo") instanceof List<?> stages)) {
                continue;
            }
            for (Object each : stages) {
                Map<String, Object> stage = (Map<String, Object>) each;
                double ok = (Double) stage.get("within");
                double count = (Double) stage.get("total");
                within += ok;
                total += count;
                // Only a stage with late events is the worst: among stages all on time, none is.
                if (ok < count && (worst == null || ok / count < share(worst))) {
                    worst = stage;
                }
            }
        }
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("source", "orderly_event_age_seconds of every worker");
        part.put("thresholdSeconds", slo.thresholdSeconds());
        part.put("target", slo.target());
        part.put("within", within);
        part.put("total", total);
        if (worst != null) {
            part.put("worst", worst);
        }
        return part;
    }

    private static double share(Map<String, Object> stage) {
        return (Double) stage.get("within") / (Double) stage.get("total");
    }

    private static Reply metrics(Calls calls, URI base, String service) {
        return calls.service(service, at(base, "/actuator/prometheus"));
    }

    /** Where {@code path} is on a service's base URL. */
    public static URI at(URI base, String path) {
        return URI.create(base.toString().replaceAll("/+$", "") + path);
    }

    private static Map<String, Object> part(String source) {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("source", source);
        return part;
    }

    private static Map<String, Object> failed(Map<String, Object> part, String service, Reply answer) {
        part.put("error", service + " answered " + answer.status() + ": " + detail(answer));
        return part;
    }

    /** A refusal's or failure's own words: why nothing answered, a problem's detail, else the body's start. */
    static String detail(Reply answer) {
        if (!answer.noAnswer().isEmpty()) {
            return answer.noAnswer();
        }
        try {
            String detail = JSON.readTree(answer.body()).path("detail").asString();
            if (!detail.isEmpty()) {
                return detail;
            }
        } catch (RuntimeException e) {
            // not JSON: the body itself, shortened
        }
        return answer.body().length() > 200 ? answer.body().substring(0, 200) + "..." : answer.body();
    }
}
