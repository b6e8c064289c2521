package dev.orderly.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.HttpMethod;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.user.OAuth2User;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/overview}: one snapshot of the pipeline, each part with where it came from ({@code source}) and,
 * if that did not answer or refused, why ({@code error}) instead of numbers. Counters are given as totals since each
 * service started; the page turns two snapshots into rates.
 *
 * <p>Invariant: a part that fails never fails the others, nor the answer (always 200 for a signed-in user).
 */
@RestController
class OverviewController {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Services services;
    private final ConsoleProperties properties;

    OverviewController(Services services, ConsoleProperties properties) {
        this.services = services;
        this.properties = properties;
    }

    @GetMapping("/api/me")
    Map<String, Object> me(@AuthenticationPrincipal OAuth2User user) {
        return Map.of("name", user.getName(), "scopes", scopes(user));
    }

    @GetMapping("/api/overview")
    Map<String, Object> overview(@AuthenticationPrincipal OAuth2User user) {
        Map<String, Object> overview = new LinkedHashMap<>();
        overview.put("at", Instant.now().toString());
        overview.put("user", me(user));
        overview.put("orders", orders());
        overview.put("outboxes", outboxes());
        overview.put("queues", queues());
        List<Map<String, Object>> workers = new ArrayList<>();
        properties.workers().keySet().stream().sorted().forEach(worker -> workers.add(worker(worker)));
        overview.put("workers", workers);
        overview.put("slo", slo(workers));
        return overview;
    }

    private Map<String, Object> orders() {
        Map<String, Object> part = part("order-api /actuator/prometheus");
        Services.Answer answer = metrics(properties.orderApiManagement(), "order-api");
        if (!answer.ok()) {
            return failed(part, answer);
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
        return part;
    }

    private Map<String, Object> outboxes() {
        Map<String, Object> part = part("outbox-relay /actuator/prometheus");
        Services.Answer answer = metrics(properties.relay(), "outbox-relay");
        if (!answer.ok()) {
            return failed(part, answer);
        }
        PrometheusText metrics = PrometheusText.parse(answer.body());
        List<Map<String, Object>> tables = new ArrayList<>();
        metrics.samples("orderly_outbox_backlog").forEach(backlog -> {
            String source = backlog.labels().getOrDefault("source", "?");
            Map<String, Object> table = new LinkedHashMap<>();
            table.put("table", source);
            table.put("backlog", backlog.value());
            table.put(
                    "oldestAgeSeconds",
                    metrics.sum("orderly_outbox_oldest_age_seconds", labels -> source.equals(labels.get("source"))));
            table.put("leader", metrics.sum("orderly_outbox_lease", labels -> source.equals(labels.get("source"))) > 0);
            table.put(
                    "failing",
                    metrics.sum("orderly_outbox_failing", labels -> source.equals(labels.get("source"))) > 0);
            table.put(
                    "published",
                    metrics.sum("orderly_outbox_published_total", labels -> source.equals(labels.get("source"))));
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

    private Map<String, Object> queues() {
        String vhost = properties.broker().virtualHost();
        Map<String, Object> part = part("RabbitMQ management API /api/queues/" + vhost);
        Services.Answer answer = services.broker("queues/" + encode(vhost)
                + "?columns=name,messages_ready,messages_unacknowledged,consumers,message_stats.ack_details.rate");
        if (!answer.ok()) {
            return failed(part, answer);
        }
        List<Map<String, Object>> queues = new ArrayList<>();
        for (JsonNode queue : JSON.readTree(answer.body())) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", queue.path("name").asString());
            row.put("ready", queue.path("messages_ready").asLong());
            row.put("unacked", queue.path("messages_unacknowledged").asLong());
            row.put("consumers", queue.path("consumers").asLong());
            row.put(
                    "ackRate",
                    queue.path("message_stats").path("ack_details").path("rate").asDouble());
            queues.add(row);
        }
        queues.sort((a, b) -> ((String) a.get("name")).compareTo((String) b.get("name")));
        part.put("queues", queues);
        return part;
    }

    private Map<String, Object> worker(String worker) {
        Map<String, Object> part = part(worker + "-worker /actuator/prometheus and /actuator/parkinglot/groups");
        part.put("worker", worker);
        String service = worker + "-worker";
        Services.Answer answer = metrics(properties.workers().get(worker), service);
        if (!answer.ok()) {
            return failed(part, answer);
        }
        PrometheusText metrics = PrometheusText.parse(answer.body());
        Map<String, Double> outcomes = new TreeMap<>();
        metrics.samples("orderly_consumer_messages_total")
                .forEach(sample ->
                        outcomes.merge(sample.labels().getOrDefault("outcome", "?"), sample.value(), Double::sum));
        part.put("messages", outcomes);
        // Only order-worker records orders reaching a final state (SHIPPED, CANCELLED, ...).
        part.put("completed", metrics.sum("orderly_order_completion_seconds_count"));
        String eventType = properties.slo().eventType();
        String le = le(properties.slo().threshold().toMillis() / 1000.0);
        part.put(
                "sloWithin",
                metrics.sum(
                        "orderly_event_age_seconds_bucket",
                        labels -> eventType.equals(labels.get("event_type")) && le.equals(labels.get("le"))));
        part.put(
                "sloTotal",
                metrics.sum("orderly_event_age_seconds_count", labels -> eventType.equals(labels.get("event_type"))));
        Services.Answer groups = services.call(
                HttpMethod.GET, Services.at(properties.workers().get(worker), "/actuator/parkinglot/groups"), service);
        if (groups.ok()) {
            JsonNode list = JSON.readTree(groups.body()).path("groups");
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

    private Map<String, Object> slo(List<Map<String, Object>> workers) {
        double within = 0;
        double total = 0;
        for (Map<String, Object> worker : workers) {
            if (worker.get("sloTotal") instanceof Double count && worker.get("sloWithin") instanceof Double ok) {
                within += ok;
                total += count;
            }
        }
        Map<String, Object> slo = new LinkedHashMap<>();
        slo.put("source", "orderly_event_age_seconds of every worker");
        slo.put("eventType", properties.slo().eventType());
        slo.put("thresholdSeconds", properties.slo().threshold().toMillis() / 1000.0);
        slo.put("target", properties.slo().target());
        slo.put("within", within);
        slo.put("total", total);
        return slo;
    }

    private Services.Answer metrics(java.net.URI base, String service) {
        return services.call(HttpMethod.GET, Services.at(base, "/actuator/prometheus"), service);
    }

    private static Map<String, Object> part(String source) {
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("source", source);
        return part;
    }

    private static Map<String, Object> failed(Map<String, Object> part, Services.Answer answer) {
        part.put("error", answer.service() + " answered " + answer.status() + ": " + detail(answer));
        return part;
    }

    /** A refusal's or failure's own words: a problem's detail, else the body's start. */
    private static String detail(Services.Answer answer) {
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

    /** The {@code le} label Micrometer writes for a bucket bound of {@code seconds}: {@code 30.0}. */
    private static String le(double seconds) {
        return Double.toString(seconds);
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20");
    }

    static List<String> scopes(OAuth2User user) {
        return user.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .filter(authority -> authority.startsWith("SCOPE_"))
                .map(authority -> authority.substring("SCOPE_".length()))
                .sorted()
                .toList();
    }
}
