package dev.orderly.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.AuthUser;
import dev.orderly.testsupport.SigningKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The running auth-server over real HTTP, as the local run configures it (its application.yaml, a generated key and
 * secrets): every client gets a token with its own secret, that token verifies against the published JWK set with the
 * client's scopes, subject and the issuer; a wrong secret or a scope the client lacks gets none; only the health
 * probes are open without a token.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TokenIntegrationTests {

    private static final Map<AuthClient, String> SECRETS = Tokens.generateSecrets();

    private static final String[] CONSOLE_SCOPES = {
        "orders:read",
        "orders:read-all",
        "inventory:read",
        "parkinglot:read",
        "parkinglot:replay",
        "parkinglot:purge",
        "metrics:read",
        "actuator:read"
    };

    private static final Map<AuthUser, String> PASSWORDS = Tokens.generatePasswords();

    private static final String SIGNING_KEY = SigningKeys.generatePem();

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        // The key as PEM content here; RestartIntegrationTests reads it from a file, as the local run does.
        registry.add("orderly.auth.signing-key", () -> SIGNING_KEY);
        SECRETS.forEach((client, secret) ->
                registry.add("orderly.auth.clients." + client.clientId() + ".secret", () -> secret));
        PASSWORDS.forEach((user, password) ->
                registry.add("orderly.auth.users." + user.username() + ".password", () -> password));
    }

    @LocalServerPort
    int port;

    @Autowired
    AuthServerProperties properties;

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private String token(AuthClient client) {
        return Tokens.accessToken(Tokens.request(base(), client.clientId(), SECRETS.get(client), null));
    }

    @Test
    void aClientsTokenVerifiesAgainstTheJwkSetWithItsScopesItsIdAsSubjectAndTheIssuer() {
        Jwt token = Tokens.verify(base(), token(AuthClient.SHOP));

        assertThat(token.getSubject()).isEqualTo("shop");
        assertThat(token.getClaimAsStringList("scope")).containsExactlyInAnyOrder("orders:write", "orders:read");
        assertThat(token.getIssuer()).hasToString(base());
        assertThat(token.getHeaders()).containsEntry("alg", "RS256");
        assertThat(Duration.between(token.getIssuedAt(), token.getExpiresAt())).isEqualTo(Duration.ofMinutes(10));
        JsonNode keys = Tokens.json(Tokens.get(base() + "/oauth2/jwks", null)).path("keys");
        assertThat(keys).hasSize(1);
        assertThat(token.getHeaders())
                .containsEntry("kid", keys.get(0).path("kid").asString());
        assertThat(keys.get(0).has("d"))
                .as("the private exponent is never published")
                .isFalse();
    }

    @Test
    void theServerRegistersExactlyTheClientsOfTheTableAndEachGetsATokenWithItsOwnSecret() {
        assertThat(properties.clients().keySet()).containsExactlyInAnyOrderElementsOf(AuthClient.clientIds());

        for (AuthClient client : AuthClient.machineClients()) {
            Jwt token = Tokens.verify(base(), token(client));
            assertThat(token.getSubject()).isEqualTo(client.clientId());
            assertThat(token.getClaimAsStringList("scope"))
                    .containsExactlyInAnyOrderElementsOf(
                            properties.clients().get(client.clientId()).scopes());
        }
    }

    @Test
    void theOperatorMayReadEveryOrderAndOperateTheParkingLotsAndMonitoringOnlyScrapesMetrics() {
        assertThat(Tokens.verify(base(), token(AuthClient.OPERATOR)).getClaimAsStringList("scope"))
                .containsExactlyInAnyOrder(
                        "orders:read",
                        "orders:read-all",
                        "inventory:read",
                        "parkinglot:read",
                        "parkinglot:replay",
                        "parkinglot:purge",
                        "actuator:read");
        assertThat(Tokens.verify(base(), token(AuthClient.MONITORING)).getClaimAsStringList("scope"))
                .containsExactly("metrics:read");
        assertThat(Tokens.verify(base(), token(AuthClient.DECLINE_DEMO)).getSubject())
                .isEqualTo("decline-demo");
    }

    @Test
    void theConsoleGetsNoTokenOfItsOwn() {
        HttpResponse<String> answer = Tokens.request(base(), "console", SECRETS.get(AuthClient.CONSOLE), null);

        assertNoToken(answer, 400, "unauthorized_client");
    }

    @Test
    void theOperatorSignsInToTheConsoleAndItsTokenCarriesEveryScopeTheConsoleAskedFor() {
        Jwt token = Tokens.verify(base(), Tokens.signIn(base(), AuthUser.OPERATOR, PASSWORDS, SECRETS, CONSOLE_SCOPES));

        assertThat(token.getSubject()).isEqualTo("operator");
        assertThat(token.getClaimAsStringList("scope")).containsExactlyInAnyOrderElementsOf(List.of(CONSOLE_SCOPES));
        assertThat(token.getAudience()).containsExactly("console");
    }

    @Test
    void aViewersTokenCarriesOnlyTheViewersScopesWhateverTheConsoleAskedFor() {
        Jwt token = Tokens.verify(base(), Tokens.signIn(base(), AuthUser.VIEWER, PASSWORDS, SECRETS, CONSOLE_SCOPES));

        assertThat(token.getSubject()).isEqualTo("viewer");
        assertThat(token.getClaimAsStringList("scope"))
                .contains("parkinglot:read", "metrics:read", "orders:read-all")
                .doesNotContain("parkinglot:replay", "parkinglot:purge");
    }

    @Test
    void aWrongPasswordIsSentBackToTheFormAndGetsNoCode() {
        Map<AuthUser, String> wrong = Map.of(AuthUser.OPERATOR, PASSWORDS.get(AuthUser.VIEWER));

        assertThatThrownBy(() -> Tokens.signIn(base(), AuthUser.OPERATOR, wrong, SECRETS, CONSOLE_SCOPES))
                .hasMessageContaining("/login?error");
    }

    @Test
    void aBrowserAskingForACodeBeforeSigningInIsSentToTheLoginFormAndAMachineClientGetsNoCode() {
        HttpResponse<String> console = Tokens.authorize(base(), new Tokens.Browser(), "console", CONSOLE_SCOPES[0]);
        assertThat(console.statusCode()).isEqualTo(302);
        assertThat(console.headers().firstValue("Location")).hasValue(base() + "/login");

        Tokens.Browser signedIn = Tokens.signedIn(base(), AuthUser.OPERATOR, PASSWORDS);
        HttpResponse<String> machine = Tokens.authorize(base(), signedIn, "operator", "parkinglot:read");
        assertThat(machine.statusCode())
                .as("no redirect URI is registered for it: an error, no code")
                .isEqualTo(400);
        assertThat(machine.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void aClientAskingForSomeOfItsScopesGetsOnlyThose() {
        Jwt token = Tokens.verify(
                base(),
                Tokens.accessToken(Tokens.request(
                        base(), "operator", SECRETS.get(AuthClient.OPERATOR), "parkinglot:read parkinglot:replay")));

        assertThat(token.getClaimAsStringList("scope"))
                .containsExactlyInAnyOrder("parkinglot:read", "parkinglot:replay");
    }

    @Test
    void aWrongSecretGetsNoTokenButA401() {
        HttpResponse<String> answer = Tokens.request(base(), "shop", SECRETS.get(AuthClient.OPERATOR), null);

        assertNoToken(answer, 401, "invalid_client");
    }

    @Test
    void anUnknownClientGetsNoTokenButA401() {
        HttpResponse<String> answer = Tokens.request(base(), "admin", SECRETS.get(AuthClient.SHOP), null);

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(Tokens.json(answer).path("error").asString()).isEqualTo("invalid_client");
    }

    @Test
    void aScopeTheClientDoesNotHaveIsRefusedAsInvalidScope() {
        HttpResponse<String> answer =
                Tokens.request(base(), "shop", SECRETS.get(AuthClient.SHOP), "orders:write inventory:write");

        assertNoToken(answer, 400, "invalid_scope");
    }

    @Test
    void theMetadataNamesTheIssuerTheTokenEndpointTheJwkSetAndTheClientCredentialsGrant() {
        JsonNode metadata = Tokens.json(Tokens.get(base() + "/.well-known/oauth-authorization-server", null));

        assertThat(metadata.path("issuer").asString()).isEqualTo(base());
        assertThat(metadata.path("token_endpoint").asString()).isEqualTo(base() + "/oauth2/token");
        assertThat(metadata.path("jwks_uri").asString()).isEqualTo(base() + "/oauth2/jwks");
        assertThat(metadata.path("grant_types_supported").toString()).contains("client_credentials");
    }

    @Test
    void theHealthProbesAreOpenAndTheRestOfTheActuatorNeedsATokenWithActuatorRead() {
        assertThat(Tokens.get(base() + "/actuator/health/liveness", null).statusCode())
                .isEqualTo(200);
        assertThat(Tokens.get(base() + "/actuator/health/readiness", null).statusCode())
                .isEqualTo(200);

        assertThat(Tokens.get(base() + "/actuator/info", null).statusCode()).isEqualTo(401);
        assertThat(Tokens.get(base() + "/actuator/info", token(AuthClient.SHOP)).statusCode())
                .isEqualTo(403);
        assertThat(Tokens.get(base() + "/actuator/info", token(AuthClient.OPERATOR))
                        .statusCode())
                .isEqualTo(200);
        assertThat(Tokens.get(base() + "/actuator/env", token(AuthClient.OPERATOR))
                        .statusCode())
                .as("not exposed: refused even with a token")
                .isEqualTo(403);
        assertThat(Tokens.get(base() + "/", null).statusCode()).isEqualTo(401);
    }

    /** A refused token request: {@code status}, the OAuth2 {@code error} code, and no token in the answer. */
    private static void assertNoToken(HttpResponse<String> answer, int status, String error) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(Tokens.json(answer).path("error").asString()).isEqualTo(error);
        assertThat(answer.body()).doesNotContain("access_token");
    }
}
