package dev.orderly.testsupport;

import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * Mints real RS256 access tokens for tests, shaped like the local auth-server's (a subject, a {@code scope} array, an
 * issuer, an expiry): signed with {@link TestKeys#trusted()}, which every {@link RealInfrastructure} context's resource
 * server checks tokens against; or, to be refused, with another key, or already expired. What a resource server does
 * with such a token is then exactly what it does in production: decode, verify the signature, validate the times, map
 * {@code scope} to {@code SCOPE_x} authorities. No security context is mocked.
 *
 * <pre>{@code
 * String shop = TestTokens.forClient("shop", "orders:write", "orders:read");
 * String forged = TestTokens.token("shop").scopes("orders:write").signedByAnotherKey().mint();
 * }</pre>
 *
 * <p>Needs {@code spring-security-oauth2-jose} on the test class path, which every service with a resource server has.
 */
public final class TestTokens {

    /** The {@code iss} of every minted token; no test context checks it, as no {@code issuer-uri} is set in tests. */
    public static final String ISSUER = "https://tokens.orderly.test";

    /** How long a token is valid unless a test says otherwise: longer than any test. */
    public static final Duration VALIDITY = Duration.ofHours(1);

    private TestTokens() {}

    /** A valid token for client {@code subject} (also its customer, by default) carrying {@code scopes}. */
    public static String forClient(String subject, String... scopes) {
        return token(subject).scopes(scopes).mint();
    }

    /** A token to be shaped before it is minted: scopes, claims, expiry, signing key. */
    public static Token token(String subject) {
        return new Token().claim("sub", subject);
    }

    /** A token without a subject, for a resource server that must not take a customer from nowhere. */
    public static Token tokenWithoutSubject() {
        return new Token();
    }

    /** One token being shaped; {@link #mint()} signs it. */
    public static final class Token {

        private final Map<String, Object> claims = new LinkedHashMap<>();
        private @Nullable Instant expiresAt = Instant.now().plus(VALIDITY);
        private KeyPair keys = TestKeys.trusted();

        private Token() {}

        /** The {@code scope} claim, as the auth-server writes it: an array of scope names. */
        public Token scopes(String... scopes) {
            return claim("scope", List.of(scopes));
        }

        /** Any other claim, such as the one {@code orderly.api.security.customer-claim} names. */
        public Token claim(String name, @Nullable Object value) {
            if (value == null) {
                claims.remove(name);
            } else {
                claims.put(name, value);
            }
            return this;
        }

        /** Without an {@code exp} claim (a resource server accepts it: nothing says it has expired). */
        public Token withoutExpiry() {
            expiresAt = null;
            return this;
        }

        /** Expires {@code from} now. */
        public Token expiresIn(Duration from) {
            expiresAt = Instant.now().plus(from);
            return this;
        }

        /** Expired {@code ago}: well past the resource server's 60 s of allowed clock skew if over a minute. */
        public Token expired(Duration ago) {
            expiresAt = Instant.now().minus(ago);
            return this;
        }

        /** Signed with {@link TestKeys#untrusted()}: well-formed, but forged for every test context. */
        public Token signedByAnotherKey() {
            keys = TestKeys.untrusted();
            return this;
        }

        /** The signed compact JWT, for an {@code Authorization: Bearer} header. */
        public String mint() {
            Instant now = Instant.now();
            Instant issuedAt = expiresAt == null || expiresAt.isAfter(now) ? now : expiresAt.minus(VALIDITY);
            JwtClaimsSet.Builder set = JwtClaimsSet.builder()
                    .issuer(ISSUER)
                    .issuedAt(issuedAt)
                    .notBefore(issuedAt)
                    .id(UUID.randomUUID().toString());
            if (expiresAt != null) {
                set.expiresAt(expiresAt);
            }
            claims.forEach(set::claim);
            NimbusJwtEncoder encoder = NimbusJwtEncoder.withKeyPair(
                            (RSAPublicKey) keys.getPublic(), (RSAPrivateKey) keys.getPrivate())
                    .build();
            return encoder.encode(JwtEncoderParameters.from(
                            JwsHeader.with(SignatureAlgorithm.RS256).build(), set.build()))
                    .getTokenValue();
        }
    }
}
