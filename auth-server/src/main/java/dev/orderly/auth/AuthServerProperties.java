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
 * @param refreshTokenTtl how long a signed-in user's refresh token is valid (the console's session lasts as long)
 * @param signingKey the RSA private key that signs the tokens, PKCS#8 PEM ({@code BEGIN PRIVATE KEY}): the PEM itself,
 *     or where to read it ({@code file:/path/signing-key.pem}); its public key, published at {@code /oauth2/jwks},
 *     is derived from it, and its key id is its RFC 7638 thumbprint, so a restart with the same key keeps every token
 *     valid
 * @param clients the clients, by id; the id is also the subject of the client-credentials tokens
 * @param users the people who sign in (to the operator's console), by name; the name is also the subject of the tokens
 *     issued for them
 */
@ConfigurationProperties("orderly.auth")
@Validated
record AuthServerProperties(
        @Nullable String issuer,

        @DefaultValue("10m") @DurationMin(seconds = 1) Duration tokenTtl,

        @DefaultValue("8h") @DurationMin(minutes = 1) Duration refreshTokenTtl,

        @NotBlank(
                message = "is required (ORDERLY_AUTH_SIGNING_KEY): the RSA private key that signs the tokens, PKCS#8"
                        + " PEM or a location such as file:/path/signing-key.pem (./orderly up and ./orderly"
                        + " compose-env generate one)")
        String signingKey,

        @NotEmpty Map<String, @Valid Client> clients,

        @DefaultValue Map<String, @Valid User> users) {

    /**
     * One client: with no redirect URI a machine, allowed the client-credentials grant only; with one, a web
     * application that its users sign in to, allowed the authorization-code grant (and refresh tokens) only.
     *
     * @param secret its secret, kept only bcrypt-encoded once the server runs
     * @param scopes what it may ask for; a client-credentials request that asks for none gets all of them
     *     ({@link DefaultScopes}); a user's token gets only those the user has too ({@link UserScopes})
     * @param redirectUris where the authorization endpoint may send a signed-in user back to, exactly as registered
     */
    record Client(
            @NotBlank(
                    message = "is required: each client needs its own secret (ORDERLY_AUTH_CLIENTS_<ID>_SECRET; "
                            + "./orderly up and ./orderly compose-env generate them)")
            String secret,

            @NotEmpty Set<String> scopes,

            @DefaultValue Set<String> redirectUris) {

        @Override
        public String toString() {
            return "Client[scopes=" + scopes + ", redirectUris=" + redirectUris + ", secret=(hidden)]";
        }
    }

    /**
     * One person, who signs in with a form at {@code /login}.
     *
     * @param password their password, kept only bcrypt-encoded once the server runs
     * @param scopes the most a token issued for them carries, whatever the client asks for
     */
    record User(
            @NotBlank(
                    message = "is required: each user needs their own password (ORDERLY_AUTH_USERS_<NAME>_PASSWORD; "
                            + "./orderly up and ./orderly compose-env generate them)")
            String password,

            @NotEmpty Set<String> scopes) {

        @Override
        public String toString() {
            return "User[scopes=" + scopes + ", password=(hidden)]";
        }
    }

    @Override
    public String toString() {
        return "AuthServerProperties[issuer=" + issuer + ", tokenTtl=" + tokenTtl + ", refreshTokenTtl="
                + refreshTokenTtl
                + ", signingKey=(hidden), clients="
                + clients + ", users=" + users + "]";
    }
}
