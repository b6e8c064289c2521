package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.InputStream;
import java.net.URI;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.security.converter.RsaKeyConverters;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The tests' tokens, checked the way a resource server with {@code public-key-location} checks them: against the
 * public key in the file {@link TestKeys} hands out, with Spring's default validation (signature, then times).
 */
class TestTokensTests {

    private final JwtDecoder decoder =
            NimbusJwtDecoder.withPublicKey(publicKeyFromTheFile()).build();

    @Test
    void aTokenForAClientCarriesItsSubjectAndScopesAndIsValidAgainstTheKeyFile() {
        Jwt jwt = decoder.decode(TestTokens.forClient("shop", "orders:write", "orders:read"));

        assertThat(jwt.getSubject()).isEqualTo("shop");
        assertThat(jwt.getClaimAsStringList("scope")).containsExactly("orders:write", "orders:read");
        assertThat(jwt.getIssuer()).hasToString(TestTokens.ISSUER);
        assertThat(jwt.getExpiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(50)));
        assertThat(jwt.getHeaders()).containsEntry("alg", "RS256");
    }

    @Test
    void otherClaimsAndNoSubjectCanBeShaped() {
        Jwt jwt = decoder.decode(TestTokens.tokenWithoutSubject()
                .claim("customer_id", "c-7")
                .scopes("orders:read")
                .mint());

        assertThat(jwt.getSubject()).isNull();
        assertThat(jwt.getClaimAsString("customer_id")).isEqualTo("c-7");
    }

    @Test
    void anExpiredTokenIsRefused() {
        String expired = TestTokens.token("shop")
                .scopes("orders:read")
                .expired(Duration.ofMinutes(5))
                .mint();

        assertThatExceptionOfType(JwtValidationException.class)
                .isThrownBy(() -> decoder.decode(expired))
                .withMessageContaining("expired");
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() {
        String forged = TestTokens.token("shop")
                .scopes("orders:read")
                .signedByAnotherKey()
                .mint();

        assertThatExceptionOfType(BadJwtException.class)
                .isThrownBy(() -> decoder.decode(forged))
                .withMessageContaining("signature");
    }

    @Test
    void theKeyFileIsOneX509PublicKeyInPem() throws Exception {
        String location = TestKeys.publicKeyLocation();

        assertThat(location).startsWith("file:");
        assertThat(TestKeys.publicKeyLocation()).as("one file per JVM").isEqualTo(location);
        try (InputStream pem = URI.create(location).toURL().openStream()) {
            assertThat(new String(pem.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                    .startsWith("-----BEGIN PUBLIC KEY-----\n")
                    .endsWith("-----END PUBLIC KEY-----\n");
        }
        assertThat(TestKeys.untrusted().getPublic())
                .isNotEqualTo(TestKeys.trusted().getPublic());
    }

    private static RSAPublicKey publicKeyFromTheFile() {
        try (InputStream pem = URI.create(TestKeys.publicKeyLocation()).toURL().openStream()) {
            return RsaKeyConverters.x509().convert(pem);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
