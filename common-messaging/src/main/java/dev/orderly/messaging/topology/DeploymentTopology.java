package dev.orderly.messaging.topology;

import dev.orderly.contracts.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;

/**
 * The whole broker topology of a deployment, as RabbitMQ definitions (the format {@code rabbitmqctl
 * import_definitions}, {@code load_definitions} and {@code POST /api/definitions} read): the virtual host, the shared
 * exchanges, every domain's work queue, retry tiers and parking lot, every binding, and the unrouted queue's policy.
 *
 * <p>Why the deployment owns it: a topic exchange confirms a publish as soon as one queue took it, so an event bound
 * for two domains whose second queue does not exist yet (its worker not started, or the queue deleted to change
 * {@code x-delivery-limit}) is confirmed, marked published and lost for that domain. Declared by the deployment before
 * any service starts, every queue and binding exists before the first event can be published; the services then only
 * verify them. {@code helm/orderly/files/rabbitmq/topology.json} is rendered from this class (deploy-tests checks it).
 *
 * <p>Invariant: the same settings render the same definitions, sorted by name, with exactly the arguments the
 * services' own {@link DomainTopology} declarations would use, so a broker holding these definitions accepts a
 * service's passive checks and, in development, its redeclarations.
 */
public final class DeploymentTopology {

    /** The policy that bounds the unrouted queue, so a flood of unroutable events cannot fill the broker's disk. */
    static final String UNROUTED_POLICY = "orderly-unrouted-bound";

    static final int UNROUTED_MAX_LENGTH = 1_000_000;

    private DeploymentTopology() {}

    /**
     * What one consuming domain needs: the work queue's delivery limit and the retry tiers (the event types it is bound
     * for come from {@link Topology#SUBSCRIPTIONS}).
     */
    public record DomainSettings(List<Duration> retryDelays, int deliveryLimit) {}

    /** Every declarable of {@code domain}, shared exchanges included. */
    public static List<Declarable> declarables(String domain, DomainSettings settings) {
        return DomainTopology.declarables(
                        domain,
                        Topology.subscriptionsOf(domain),
                        settings.retryDelays(),
                        settings.deliveryLimit(),
                        true)
                .getDeclarables()
                .stream()
                .map(Declarable.class::cast)
                .toList();
    }

    /** The definitions of every domain in {@code domains} (by name) on virtual host {@code vhost}. */
    public static Map<String, Object> definitions(String vhost, Map<String, DomainSettings> domains) {
        Map<String, Map<String, Object>> exchanges = new TreeMap<>();
        Map<String, Map<String, Object>> queues = new TreeMap<>();
        Map<String, Map<String, Object>> bindings = new TreeMap<>();
        domains.forEach((domain, settings) -> {
            for (Declarable declarable : declarables(domain, settings)) {
                switch (declarable) {
                    case Exchange exchange -> exchanges.put(exchange.getName(), exchange(vhost, exchange));
                    case Queue queue -> queues.put(queue.getName(), queue(vhost, queue));
                    case Binding binding -> bindings.put(key(binding), binding(vhost, binding));
                    default -> throw new IllegalStateException("Unexpected declarable " + declarable);
                }
            }
        });
        Map<String, Object> definitions = new LinkedHashMap<>();
        definitions.put("vhosts", List.of(Map.of("name", vhost)));
        definitions.put("policies", List.of(unroutedPolicy(vhost)));
        definitions.put("exchanges", new ArrayList<>(exchanges.values()));
        definitions.put("queues", new ArrayList<>(queues.values()));
        definitions.put("bindings", new ArrayList<>(bindings.values()));
        return definitions;
    }

    private static Map<String, Object> exchange(String vhost, Exchange exchange) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", exchange.getName());
        json.put("vhost", vhost);
        json.put("type", exchange.getType());
        json.put("durable", exchange.isDurable());
        json.put("auto_delete", exchange.isAutoDelete());
        json.put("internal", exchange.isInternal());
        json.put("arguments", new TreeMap<>(exchange.getArguments()));
        return json;
    }

    private static Map<String, Object> queue(String vhost, Queue queue) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", queue.getName());
        json.put("vhost", vhost);
        json.put("durable", queue.isDurable());
        json.put("auto_delete", queue.isAutoDelete());
        json.put("arguments", new TreeMap<>(queue.getArguments()));
        return json;
    }

    private static Map<String, Object> binding(String vhost, Binding binding) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("source", binding.getExchange());
        json.put("vhost", vhost);
        json.put("destination", binding.getDestination());
        json.put("destination_type", binding.getDestinationType().name().toLowerCase(java.util.Locale.ROOT));
        json.put("routing_key", binding.getRoutingKey());
        json.put("arguments", new TreeMap<>(binding.getArguments() == null ? Map.of() : binding.getArguments()));
        return json;
    }

    private static String key(Binding binding) {
        return binding.getExchange() + "\u0000" + binding.getDestination() + "\u0000" + binding.getRoutingKey();
    }

    private static Map<String, Object> unroutedPolicy(String vhost) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("vhost", vhost);
        json.put("name", UNROUTED_POLICY);
        json.put("pattern", "^" + Topology.UNROUTED_QUEUE.replace(".", "\\.") + "$");
        json.put("apply-to", "queues");
        json.put("priority", 10);
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("max-length", UNROUTED_MAX_LENGTH);
        definition.put("overflow", "reject-publish");
        json.put("definition", definition);
        return json;
    }
}
