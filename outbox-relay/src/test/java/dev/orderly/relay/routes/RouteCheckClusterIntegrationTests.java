package dev.orderly.relay.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.orderly.contracts.Topology;
import dev.orderly.testsupport.FreePorts;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.RabbitBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The route check of a relay given every node of a RabbitMQ cluster: a node that does not answer (down, paused in a
 * minority, or answering 503 while it boots) must not hold back every event while another node can list the bindings.
 * The real broker's management API stands for the node that answers.
 */
class RouteCheckClusterIntegrationTests {

    private final RabbitBroker rabbit = OrderlyInfrastructure.rabbit();

    private RouteCheck check(List<String> managementUrls) {
        return new RouteCheck(
                managementUrls,
                rabbit.virtualHost(),
                Topology.EVENTS_EXCHANGE,
                rabbit.adminUser(),
                rabbit.adminPassword(),
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                new SimpleMeterRegistry());
    }

    private String live() {
        return "http://" + rabbit.host() + ":" + rabbit.managementPort();
    }

    @Test
    void aNodeThatIsDownIsPassedOverForOneThatAnswers() {
        String down = "http://127.0.0.1:" + FreePorts.pick(1)[0];
        RouteCheck check = check(List.of(down, live()));

        check.refresh();

        assertThat(check.snapshot()).isNotNull();
        assertThat(check.snapshot().error()).as("asked the node that answers").isNull();
    }

    @Test
    void withNoNodeAnsweringTheCheckSaysItCannotTellAndHoldsBackTheCatalogue() {
        RouteCheck check =
                check(List.of("http://127.0.0.1:" + FreePorts.pick(1)[0], "http://127.0.0.1:" + FreePorts.pick(1)[0]));

        check.refresh();

        assertThat(check.snapshot().error()).isNotNull();
        assertThat(check.blockedReason("order.created")).startsWith("the relay cannot check");
    }

    @Test
    void theNodeThatAnsweredLastIsAskedFirstNextTime() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        HttpServer booting = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        booting.createContext("/", exchange -> {
            asked.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        booting.start();
        try {
            RouteCheck check =
                    check(List.of("http://127.0.0.1:" + booting.getAddress().getPort(), live()));

            check.refresh();
            check.refresh();
            check.refresh();

            assertThat(check.snapshot().error()).isNull();
            assertThat(asked)
                    .as("the 503 node, asked once and then passed over")
                    .hasValue(1);
        } finally {
            booting.stop(0);
        }
    }
}
