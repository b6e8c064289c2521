package dev.orderly.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.AuthUser;
import dev.orderly.testsupport.Secrets;
import dev.orderly.testsupport.SigningKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * auth-server started and stopped as a process would be: with the key read from a file, a token issued before a
 * restart still verifies after it; without a client's secret, or without a readable key, it refuses to start and says
 * which setting is missing.
 */
class RestartIntegrationTests {

    private static final Map<AuthClient, String> SECRETS = Tokens.generateSecrets();

    /** Configured, as compose does: the restarted server listens on another port, and its tokens name the same one. */
    private static final String ISSUER = "http://auth-server.test";

    @TempDir
    Path directory;

    @Test
    void aTokenIssuedBeforeARestartWithTheSameKeyFileStillVerifiesAfterIt() throws IOException {
        Path key = directory.resolve("signing-key.pem");
        Files.writeString(key, SigningKeys.generatePem());
        String token;
        String keyId;
        try (ConfigurableApplicationContext first = start(arguments("file:" + key, AuthClient.values()))) {
            token = Tokens.accessToken(Tokens.request(base(first), "shop", SECRETS.get(AuthClient.SHOP), null));
            keyId = Tokens.verify(base(first), ISSUER, token)
                    .getHeaders()
                    .get("kid")
                    .toString();
        }

        try (ConfigurableApplicationContext second = start(arguments("file:" + key, AuthClient.values()))) {
            Jwt verified = Tokens.verify(base(second), ISSUER, token);

            assertThat(verified.getSubject()).isEqualTo("shop");
            assertThat(verified.getHeaders()).containsEntry("kid", keyId);
            assertThat(Tokens.json(Tokens.get(base(second) + "/oauth2/jwks", null))
                            .path("keys")
                            .get(0)
                            .path("kid")
                            .asString())
                    .isEqualTo(keyId);
        }
    }

    @Test
    void aClientWithoutASecretStopsTheStartNamingTheSetting() throws IOException {
        Path key = directory.resolve("signing-key.pem");
        Files.writeString(key, SigningKeys.generatePem());
        List<String> arguments = arguments(
                "file:" + key,
                AuthClient.SHOP,
                AuthClient.DECLINE_DEMO,
                AuthClient.INVENTORY_ADMIN,
                AuthClient.OPERATOR);

        assertThatThrownBy(() -> start(arguments).close())
                .hasStackTraceContaining("clients[monitoring].secret")
                .hasStackTraceContaining("each client needs its own secret");
    }

    @Test
    void noSigningKeyStopsTheStartNamingTheSetting() {
        List<String> arguments = arguments("", AuthClient.values());

        assertThatThrownBy(() -> start(arguments).close())
                .hasStackTraceContaining("signingKey")
                .hasStackTraceContaining("is required (ORDERLY_AUTH_SIGNING_KEY)");
    }

    @Test
    void aKeyFileThatIsNotThereStopsTheStartNamingTheFile() {
        Path missing = directory.resolve("nowhere.pem");
        List<String> arguments = arguments("file:" + missing, AuthClient.values());

        assertThatThrownBy(() -> start(arguments).close())
                .hasStackTraceContaining("orderly.auth.signing-key: cannot read a private key from file:" + missing);
    }

    private static List<String> arguments(String signingKey, AuthClient... withSecrets) {
        List<String> arguments = new ArrayList<>(
                List.of("--server.port=0", "--orderly.auth.issuer=" + ISSUER, "--logging.structured.format.console="));
        if (!signingKey.isEmpty()) {
            arguments.add("--orderly.auth.signing-key=" + signingKey);
        }
        for (AuthClient client : withSecrets) {
            arguments.add("--orderly.auth.clients." + client.clientId() + ".secret=" + SECRETS.get(client));
        }
        for (AuthUser user : AuthUser.values()) {
            arguments.add("--orderly.auth.users." + user.username() + ".password=" + Secrets.generate());
        }
        return arguments;
    }

    private static ConfigurableApplicationContext start(List<String> arguments) {
        return new SpringApplicationBuilder(AuthServerApplication.class).run(arguments.toArray(String[]::new));
    }

    private static String base(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }
}
