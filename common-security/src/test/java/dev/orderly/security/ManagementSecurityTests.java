package dev.orderly.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.TestKeys;
import dev.orderly.testsupport.TestTokens;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The management chain over real HTTP with real RS256 tokens ({@link TestTokens}), checked against the tests' trusted
 * key as {@code public-key-location}: probes open and without details, each endpoint behind its scope, refusals as
 * problem details with Spring's {@code WWW-Authenticate}, and a refused request never reaches the endpoint.
 */
@SpringBootTest(classes = ManagementApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ManagementSecurityTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @DynamicPropertySource
    static void trustTheTestKey(DynamicPropertyRegistry registry) {
        registry.add(TestKeys.PUBLIC_KEY_LOCATION, TestKeys::publicKeyLocation);
    }

    @LocalServerPort
    int port;

    @Autowired
    ManagementApplication.ParkingLot parkingLot;

    @Autowired
    JwtDecoder decoder;

    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void forgetCalls() {
        parkingLot.calls.clear();
    }

    @Test
    void theProbesAnswerWithoutATokenAndShowNoDetailsToIt() throws Exception {
        for (String probe : new String[] {"/actuator/health/liveness", "/actuator/health/readiness"}) {
            HttpResponse<String> open = send("GET", probe, null);
            assertThat(open.statusCode()).as(probe).isEqualTo(200);
            assertThat(JSON.readTree(open.body()).has("components"))
                    .as("%s without a token: %s", probe, open.body())
                    .isFalse();
        }
        HttpResponse<String> withDetails =
                send("GET", "/actuator/health/readiness", token(ManagementScopes.ACTUATOR_READ));
        assertThat(JSON.readTree(withDetails.body()).has("components"))
                .as("readiness with actuator:read: %s", withDetails.body())
                .isTrue();
        HttpResponse<String> otherScope =
                send("GET", "/actuator/health/readiness", token(ManagementScopes.METRICS_READ));
        assertThat(JSON.readTree(otherScope.body()).has("components"))
                .as("readiness with metrics:read only: %s", otherScope.body())
                .isFalse();
    }

    @Test
    void everyOtherEndpointNeedsActuatorRead() throws Exception {
        for (String path : new String[] {"/actuator", "/actuator/health", "/actuator/info"}) {
            assertThat(send("GET", path, null).statusCode()).as(path).isEqualTo(401);
            assertThat(send("GET", path, token(ManagementScopes.METRICS_READ)).statusCode())
                    .as(path)
                    .isEqualTo(403);
            assertThat(send("GET", path, token(ManagementScopes.ACTUATOR_READ)).statusCode())
                    .as(path)
                    .isEqualTo(200);
        }
    }

    @Test
    void prometheusIs401WithoutAToken403WithAnotherScopeAnd200WithMetricsRead() throws Exception {
        HttpResponse<String> anonymous = send("GET", "/actuator/prometheus", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(header -> assertThat(header).startsWith("Bearer"));
        assertThat(assertProblem(anonymous, "authentication-required", 401)
                        .path("detail")
                        .asString())
                .contains("'Authorization: Bearer <token>'", "./orderly token operator");

        HttpResponse<String> operator = send(
                "GET", "/actuator/prometheus", token(ManagementScopes.ACTUATOR_READ, ManagementScopes.PARKINGLOT_READ));
        assertThat(operator.statusCode()).isEqualTo(403);
        assertThat(operator.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(header -> assertThat(header).contains("error=\"insufficient_scope\""));
        assertThat(assertProblem(operator, "insufficient-scope", 403)
                        .path("detail")
                        .asString())
                .contains("'metrics:read'");

        HttpResponse<String> monitoring = send("GET", "/actuator/prometheus", token(ManagementScopes.METRICS_READ));
        assertThat(monitoring.statusCode()).isEqualTo(200);
        assertThat(monitoring.body()).contains("jvm_memory_used_bytes");
    }

    @Test
    void aTokenIsVerifiedOnceAndItsLaterRequestsAreAnsweredFromTheVerifiedTokens() throws Exception {
        assertThat(decoder).isInstanceOf(VerifiedTokens.class);
        String token = token(ManagementScopes.METRICS_READ);
        double hitsBefore = verifiedTokens("hit");

        assertThat(send("GET", "/actuator/prometheus", token).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/prometheus", token).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/parkinglot", token).statusCode())
                .as("a known token keeps its scopes, no more")
                .isEqualTo(403);

        assertThat(verifiedTokens("hit") - hitsBefore).isEqualTo(2);
    }

    private double verifiedTokens(String result) {
        return meters.get("cache.gets")
                .tags("cache", "orderly.verified-tokens", "result", result)
                .functionCounter()
                .count();
    }

    @Test
    void aForgedOrExpiredTokenIs401InvalidToken() throws Exception {
        String forged = TestTokens.token("monitoring")
                .scopes(ManagementScopes.METRICS_READ)
                .signedByAnotherKey()
                .mint();
        String expired = TestTokens.token("monitoring")
                .scopes(ManagementScopes.METRICS_READ)
                .expired(Duration.ofMinutes(5))
                .mint();
        for (String token : new String[] {forged, expired}) {
            HttpResponse<String> refused = send("GET", "/actuator/prometheus", token);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(header -> assertThat(header).contains("error=\"invalid_token\""));
            assertProblem(refused, "invalid-token", 401);
        }
    }

    @Test
    void eachParkingLotOperationNeedsItsOwnScopeAndARefusedOneIsNeverReached() throws Exception {
        String read = token(ManagementScopes.PARKINGLOT_READ);
        String replay = token(ManagementScopes.PARKINGLOT_REPLAY);
        String purge = token(ManagementScopes.PARKINGLOT_PURGE);
        String actuator = token(ManagementScopes.ACTUATOR_READ);

        assertThat(send("GET", "/actuator/parkinglot", replay).statusCode()).isEqualTo(403);
        assertThat(send("GET", "/actuator/parkinglot", actuator).statusCode()).isEqualTo(403);
        assertThat(send("POST", "/actuator/parkinglot", read).statusCode()).isEqualTo(403);
        assertThat(send("POST", "/actuator/parkinglot", purge).statusCode()).isEqualTo(403);
        HttpResponse<String> purgeWithoutScope = send("DELETE", "/actuator/parkinglot", replay);
        assertThat(purgeWithoutScope.statusCode()).isEqualTo(403);
        assertThat(assertProblem(purgeWithoutScope, "insufficient-scope", 403)
                        .path("detail")
                        .asString())
                .contains("'parkinglot:purge'");
        assertThat(send("DELETE", "/actuator/parkinglot", null).statusCode()).isEqualTo(401);
        assertThat(parkingLot.calls)
                .as("operations reached by refused requests")
                .isEmpty();

        assertThat(send("GET", "/actuator/parkinglot", read).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/actuator/parkinglot", replay).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/actuator/parkinglot", purge).statusCode()).isEqualTo(200);
        assertThat(parkingLot.calls).containsExactly("list", "replay", "purge");
    }

    private static String token(String... scopes) {
        return TestTokens.forClient("operator", scopes);
    }

    private static JsonNode assertProblem(HttpResponse<String> response, String type, int status) {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("type").asString()).isEqualTo("urn:orderly:problem:" + type);
        assertThat(problem.path("title").asString()).isNotBlank();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("detail").asString()).isNotBlank();
        assertThat(problem.has("instance"))
                .as("no instance: a path may hold an id")
                .isFalse();
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return problem;
    }

    private HttpResponse<String> send(String method, String path, @Nullable String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        "POST".equals(method)
                                ? HttpRequest.BodyPublishers.ofString("{}")
                                : HttpRequest.BodyPublishers.noBody());
        if ("POST".equals(method)) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
