package dev.orderly.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.TestKeys;
import dev.orderly.testsupport.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An identity provider that puts a client's permissions in another claim than {@code scope} (Microsoft Entra ID's app
 * roles, in {@code roles}) is read with Boot's own setting,
 * {@code spring.security.oauth2.resourceserver.jwt.authorities-claim-name=roles}: the management side then grants by
 * that claim exactly as by {@code scope}, and a {@code scope} claim no longer counts.
 */
@SpringBootTest(
        classes = ManagementApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.security.oauth2.resourceserver.jwt.authorities-claim-name=roles")
class ManagementRolesClaimTests {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @DynamicPropertySource
    static void trustTheTestKey(DynamicPropertyRegistry registry) {
        registry.add(TestKeys.PUBLIC_KEY_LOCATION, TestKeys::publicKeyLocation);
    }

    @LocalServerPort
    int port;

    @Test
    void theRolesClaimGrantsAsTheScopeClaimWould() throws Exception {
        String reader = TestTokens.token("operator")
                .claim("roles", List.of(ManagementScopes.PARKINGLOT_READ))
                .mint();
        String monitoring = TestTokens.token("monitoring")
                .claim("roles", List.of(ManagementScopes.METRICS_READ))
                .mint();

        assertThat(get("/actuator/parkinglot", reader).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/prometheus", monitoring).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/parkinglot", monitoring).statusCode()).isEqualTo(403);
    }

    @Test
    void aScopeClaimNoLongerCountsOnceRolesIsTheClaim() throws Exception {
        String scopesOnly = TestTokens.forClient("operator", ManagementScopes.PARKINGLOT_READ);

        assertThat(get("/actuator/parkinglot", scopesOnly).statusCode()).isEqualTo(403);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + token)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
