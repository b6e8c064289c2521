package dev.orderly.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The broker password hashes ./orderly writes into the node's definitions are RabbitMQ's own. */
class PrivateServersTests {

    @Test
    void aPasswordHashIsRabbitMqsSaltedSha256() {
        // The worked example of RabbitMQ's documentation (Passwords: "Computing Password Hash"): salt 908D C60A,
        // password test12.
        byte[] salt = HexFormat.of().parseHex("908dc60a");

        assertThat(PrivateServers.passwordHash(salt, "test12"))
                .isEqualTo("kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR");
    }

    @Test
    void everyHashHasItsOwnSalt() {
        assertThat(PrivateServers.passwordHash("secret")).isNotEqualTo(PrivateServers.passwordHash("secret"));
    }
}
