package dev.orderly.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.testsupport.ProcessRabbit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The broker of {@code ORDERLY_RABBITMQ_NODES=3 ./orderly up}: three private nodes on loopback formed into one cluster
 * before the topology is imported, so that every quorum queue has a member on each node; {@code kill -9} of the node
 * leading a work queue leaves a survivor leading it, with the message it held; the next {@code up} starts the dead node
 * again and it is back among the queue's members.
 *
 * <p>What CI can afford of the cluster on two cores: the pipeline's cluster drills (a leader killed, a rolling restart,
 * a node cut off, each with the reconciling checker) take a cluster pipeline of their own, over two minutes to start and
 * one to two per drill; they run with {@code -Dorderly.rabbitmq.nodes=3} (docs/running.md). This keeps the cluster that
 * they and a user's {@code up} rest on from breaking unseen.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrokerClusterIntegrationTests {

    private static final int NODES = 3;

    /** A work queue of the topology, and the message left in it across the kill. */
    private static final String QUEUE = "order.work";

    private static final String PAYLOAD = "{\"held\":\"across the leader's kill\"}";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    static Path stateRoot;

    static StateDirectory state;
    static PrivateServers servers;
    static final ByteArrayOutputStream said = new ByteArrayOutputStream();

    @BeforeAll
    static void up() {
        Map<String, String> environment =
                Map.of("ORDERLY_PORTS", "free", StateDirectory.RABBITMQ_NODES, Integer.toString(NODES));
        state = new StateDirectory(stateRoot);
        state.ensureSettings(environment);
        PrintStream out = new PrintStream(said, true, StandardCharsets.UTF_8);
        servers = new PrivateServers(repository(), state, environment, new Console(out, out));
        servers.startBroker();
    }

    @AfterAll
    static void down() {
        if (servers != null) {
            servers.stopBroker(Duration.ofSeconds(60));
        }
    }

    @Test
    @Order(1)
    void everyNodeJoinedTheClusterBeforeTheTopologySoEveryQuorumQueueHasAMemberOnEach() throws IOException {
        Set<String> nodes = new TreeSet<>();
        servers.brokers().forEach(node -> nodes.add(node.nodeName()));
        assertThat(nodes).hasSize(NODES);
        assertThat(servers.broker().clusterMembers()).containsExactlyInAnyOrderElementsOf(nodes);

        List<String> topologyQueues = new ArrayList<>();
        JSON.readTree(Files.readString(repository().resolve(PrivateServers.TOPOLOGY)))
                .path("queues")
                .forEach(queue -> topologyQueues.add(queue.path("name").asString()));
        assertThat(topologyQueues).contains(QUEUE);
        for (String name : topologyQueues) {
            JsonNode queue = queueOn(1, name);
            assertThat(queue.path("type").asString()).as(name).isEqualTo("quorum");
            assertThat(names(queue.path("members"))).as("%s's members", name).isEqualTo(nodes);
        }
        assertThat(said.toString(StandardCharsets.UTF_8))
                .contains("RabbitMQ cluster of 3 nodes")
                .containsSubsequence("joining orderly-2@localhost", "broker topology imported");
    }

    @Test
    @Order(2)
    void killingTheNodeLeadingAQueueLeavesASurvivorLeadingItWithItsMessageAndTheNextUpBringsTheNodeBack() {
        publishToQueue(PAYLOAD);
        await("the message in " + QUEUE)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> queueOn(1, QUEUE).path("messages").asLong(-1) == 1);
        String leader = queueOn(1, QUEUE).path("leader").asString();
        int killed = nodeNumber(leader);
        int survivor = killed == 1 ? 2 : 1;

        long pid = state.alive(PrivateServers.brokerProcess(killed) + "-vm")
                .orElseThrow(() -> new AssertionError("no recorded Erlang VM for " + leader))
                .pid();
        ProcessHandle vm = ProcessHandle.of(pid).orElseThrow();
        assertThat(vm.destroyForcibly()).isTrue(); // SIGKILL: the node dies as with its machine
        // Gone, and its start script with it: until then the next up would count the node as running.
        await(leader + " gone")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !vm.isAlive()
                        && state.alive(PrivateServers.brokerProcess(killed)).isEmpty());

        await("a survivor leading " + QUEUE + ", with its message")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    JsonNode queue = queueOn(survivor, QUEUE);
                    assertThat(queue.path("leader").asString()).isNotIn("", leader);
                    assertThat(names(queue.path("online"))).hasSize(NODES - 1).doesNotContain(leader);
                    assertThat(queue.path("messages").asLong(-1)).isOne();
                });

        servers.startBroker();

        await(leader + " back among " + QUEUE + "'s members online")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(names(queueOn(survivor, QUEUE).path("online")))
                        .hasSize(NODES)
                        .contains(leader));
        assertThat(servers.broker().clusterMembers()).hasSize(NODES);
        assertThat(getMessage(survivor)).isEqualTo(PAYLOAD);
    }

    private static int nodeNumber(String nodeName) {
        List<ProcessRabbit> nodes = servers.brokers();
        for (int node = 1; node <= nodes.size(); node++) {
            if (nodes.get(node - 1).nodeName().equals(nodeName)) {
                return node;
            }
        }
        throw new AssertionError("no node " + nodeName + " in the cluster");
    }

    private static Set<String> names(JsonNode array) {
        Set<String> names = new TreeSet<>();
        array.forEach(name -> names.add(name.asString()));
        return names;
    }

    /** The queue as node {@code node}'s management API describes it; a missing node while that node does not answer. */
    private static JsonNode queueOn(int node, String name) {
        HttpResponse<String> response = management(node, "GET", "/api/queues/orderly/" + name, null);
        return response != null && response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.missingNode();
    }

    private static void publishToQueue(String payload) {
        String body = JSON.writeValueAsString(Map.of(
                "properties",
                Map.of("delivery_mode", 2),
                "routing_key",
                QUEUE,
                "payload",
                payload,
                "payload_encoding",
                "string"));
        HttpResponse<String> response = management(1, "POST", "/api/exchanges/orderly/amq.default/publish", body);
        assertThat(response).as("node 1's management API answers").isNotNull();
        assertThat(JSON.readTree(response.body()).path("routed").asBoolean())
                .as(response.body())
                .isTrue();
    }

    /** Takes the queue's one message off (acknowledged) through node {@code node}. */
    private static String getMessage(int node) {
        HttpResponse<String> response = management(
                node,
                "POST",
                "/api/queues/orderly/" + QUEUE + "/get",
                "{\"count\":1,\"ackmode\":\"ack_requeue_false\",\"encoding\":\"auto\"}");
        assertThat(response).isNotNull();
        JsonNode messages = JSON.readTree(response.body());
        assertThat(messages.size()).as(response.body()).isOne();
        return messages.get(0).path("payload").asString();
    }

    private static HttpResponse<String> management(int node, String method, String path, String body) {
        String credentials = "orderly-admin:" + state.get("ORDERLY_RABBITMQ_ADMIN_PASSWORD");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + state.port(StateDirectory.rabbitNodePort(node, "MANAGEMENT_PORT")) + path))
                .timeout(Duration.ofSeconds(10))
                .header(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null; // the node does not answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The checkout: the tests run in the tools module's directory. */
    private static Path repository() {
        return Path.of("").toAbsolutePath().getParent();
    }
}
