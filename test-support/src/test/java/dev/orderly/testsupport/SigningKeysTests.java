package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The generated signing key: a fresh 2048-bit RSA key each time, as PKCS#8 PEM that holds its public half. */
class SigningKeysTests {

    @Test
    void theKeyIsPkcs8PemOfANewRsaKeyThatCarriesItsPublicKey() throws Exception {
        String pem = SigningKeys.generatePem();

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(pem.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(64));
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        RSAPrivateCrtKey key = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        assertThat(key.getModulus().bitLength()).isEqualTo(2048);
        assertThat(key.getPublicExponent()).isPositive();
        assertThat(SigningKeys.generatePem()).as("a new key each time").isNotEqualTo(pem);
    }
}
