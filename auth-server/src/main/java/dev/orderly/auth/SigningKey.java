package dev.orderly.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.ssl.pem.PemContent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The one key tokens are signed with (RS256), read from {@code orderly.auth.signing-key}, and published, public half
 * only, at {@code /oauth2/jwks}. Boot's own default would be a new key at every start, which would make every token
 * issued before a restart unverifiable.
 *
 * <p>Invariant: the key id is the key's RFC 7638 thumbprint, so the same key always has the same id and another key
 * never does; a key that cannot be read, is not RSA or is shorter than 2048 bits stops the server at start.
 */
@Configuration(proxyBeanMethods = false)
class SigningKey {

    private static final Log LOG = LogFactory.getLog(SigningKey.class);

    private static final int MINIMUM_BITS = 2048;

    @Bean
    JWKSource<SecurityContext> jwkSource(AuthServerProperties properties, ResourceLoader resources) {
        RSAKey key = load(properties.signingKey(), resources);
        LOG.info("Signing tokens with RSA key " + key.getKeyID() + " (" + key.size() + " bits)");
        return new ImmutableJWKSet<>(new JWKSet(key));
    }

    /** The key of {@code value}: PEM content, or the location of a PEM file. */
    static RSAKey load(String value, ResourceLoader resources) {
        String where = PemContent.isPresentInText(value) ? "the PEM given" : value;
        PrivateKey key;
        try {
            key = read(value, resources).getPrivateKey();
        } catch (IOException | IllegalStateException e) {
            throw new IllegalStateException(
                    "orderly.auth.signing-key: cannot read a private key from " + where + " ("
                            + e.getMessage() + "); it takes an RSA private key as PKCS#8 PEM, or its location "
                            + "(file:/path/signing-key.pem)",
                    e);
        }
        if (!(key instanceof RSAPrivateCrtKey rsa)) {
            throw new IllegalStateException("orderly.auth.signing-key: " + where + " holds no RSA private key with its "
                    + "public exponent (PKCS#8 'BEGIN PRIVATE KEY'); tokens are signed RS256");
        }
        if (rsa.getModulus().bitLength() < MINIMUM_BITS) {
            throw new IllegalStateException("orderly.auth.signing-key: " + where + " is a "
                    + rsa.getModulus().bitLength() + "-bit key; RS256 needs at least " + MINIMUM_BITS);
        }
        try {
            RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            return new RSAKey.Builder(publicKey)
                    .privateKey(rsa)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .keyIDFromThumbprint()
                    .build();
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException("orderly.auth.signing-key: cannot derive the public key of " + where, e);
        }
    }

    private static PemContent read(String value, ResourceLoader resources) throws IOException {
        if (PemContent.isPresentInText(value)) {
            return PemContent.of(value);
        }
        Resource resource = resources.getResource(value);
        try (InputStream in = resource.getInputStream()) {
            return PemContent.load(in);
        }
    }
}
