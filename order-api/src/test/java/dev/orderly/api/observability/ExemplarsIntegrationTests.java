package dev.orderly.api.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.api.Api;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Trace exemplars on order-api's metrics follow {@code management.tracing.exemplars.include}: present by default for
 * sampled requests, absent with {@code none} (what a Prometheus older than 2.43 needs: it drops a scrape with an
 * exemplar on a timer's {@code _count}). Every request is sampled here, so a timed request always has a trace.
 */
class ExemplarsIntegrationTests {

    private static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    @Nested
    @SpringBootTest(
            webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = "management.tracing.sampling.probability=1.0")
    @RealInfrastructure
    class ByDefault {

        @LocalServerPort
        int port;

        @LocalManagementPort
        int managementPort;

        @Test
        void sampledRequestsLeaveExemplars() throws Exception {
            assertThat(scrapeAfterAnOrder(port, managementPort))
                    .containsPattern("_count\\{[^}]*} 1 # \\{[^}]*trace_id=\"");
        }
    }

    @Nested
    @SpringBootTest(
            webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"management.tracing.sampling.probability=1.0", "management.tracing.exemplars.include=none"})
    @RealInfrastructure
    class Disabled {

        @LocalServerPort
        int port;

        @LocalManagementPort
        int managementPort;

        @Test
        void noExemplarEvenForSampledRequests() throws Exception {
            String scrape = scrapeAfterAnOrder(port, managementPort);
            assertThat(scrape).contains("http_server_requests_seconds_count").doesNotContain("trace_id");
        }
    }

    private static String scrapeAfterAnOrder(int port, int managementPort) throws Exception {
        Api api = new Api(port);
        assertThat(api.postOrder(Api.order(api.newSku(1000), 1)).statusCode()).isEqualTo(202);
        HttpRequest scrape = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
                .header("Accept", OPEN_METRICS)
                .header("Authorization", "Bearer " + TestTokens.forClient("monitoring", "metrics:read"))
                .timeout(Duration.ofSeconds(30))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(scrape, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/openmetrics-text"));
        return response.body();
    }
}
