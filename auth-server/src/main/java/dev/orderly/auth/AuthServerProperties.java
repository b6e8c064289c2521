package dev.orderly.auth;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of auth-server, under {@code orderly.auth}. No secret has a default: a client without one, or no signing
 * key, stops the server at start, naming the setting.
 *
 * <p>Invariant: {@link #toString()} shows neither the signing key nor any secret, so that no log or error message
 * that prints these settings carries them.
 *
 * @param issuer the tokens' {@code iss}, and where the metadata says the server is; unset, it is the URL each request
 *     came to, which is right for the local run (one address) and wrong behind a proxy or across a container network
 *     (compose sets it)
 * @param tokenTtl how long an access token is valid: short, since nothing revokes a self-contained token
 * @param signingKey the RSA private key that signs the tokens, PKCS#8 PEM ({@code BEGIN PRIVATE KEY}): the PEM itself,
 *     or where to read it ({@code file:/path/signing-key.pem}); its public key, published at {@code /oauth2/jwks},
 *     is derived from it, and its key id is its RFC 7638 thumbprint, so a restart with the same key keeps every token
 *     valid
 * @param clients the clients, by id; the id is also the subject of the client's tokens
 */
@ConfigurationProperties("orderly.auth")
@Validated
record AuthServerProperties(
        @Nullable String issuer,

        @DefaultValue("10m") @DurationMin(seconds = 1) Duration tokenTtl,

        @NotBlank(
                message = "is required (ORDERLY_AUTH_SIGNING_KEY): the RSA private key that signs the tokens, PKCS#8"
                        + " PEM or a location such as file:/path/signing-key.pem (./orderly up and ./orderly"
                        + " compose-env generate one)")
        String signingKey,

        @NotEmpty Map<String, @Valid Client> clients) {

    /**
     * One client, allowed the client-credentials grant only.
     *
     * @param secret its secret, kept only bcrypt-encoded once the server runs
     * @param scopes what it may ask for; a token request that asks for none gets all of them ({@link DefaultScopes})
     */
    record Client(
            @NotBlank(
                    message = "is required: each client needs its own secret (ORDERLY_AUTH_CLIENTS_<ID>_SECRET; "
                            + "./orderly up and ./orderly compose-env generate them)")
            String secret,

            @NotEmpty Set<String> scopes) {

        @Override
        public String toString() {
            return "Client[scopes=" + scopes + ", secret=(hidden)]";
        }
    }

    @Override
    public String toString() {
        return "AuthServerProperties[issuer=" + issuer + ", tokenTtl=" + tokenTtl + ", signingKey=(hidden), clients="
                + clients + "]";
    }
}
