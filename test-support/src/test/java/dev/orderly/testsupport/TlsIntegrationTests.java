package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * Every connection to the test servers is encrypted and both ends are verified: RabbitMQ has no plaintext listener and
 * refuses a TLS client without a certificate of the private CA; PostgreSQL refuses a connection without TLS, and a
 * client that trusts another CA refuses the server ({@code verify-full}); the path every service takes works.
 */
class TlsIntegrationTests {

    private final PostgresServer postgres = OrderlyInfrastructure.postgres();

    private final RabbitBroker rabbit = OrderlyInfrastructure.rabbit();

    @Test
    void aClientWithTheCertificateConnectsOverTls() throws Exception {
        try (Connection connection = this.rabbit.connectionFactory().newConnection("tls-probe")) {
            assertThat(connection.isOpen()).isTrue();
        }
    }

    @Test
    void plaintextAmqpIsRefused() {
        ConnectionFactory plaintext = bareFactory();
        assertThatThrownBy(() -> plaintext.newConnection("plaintext-probe").close())
                .isInstanceOfAny(java.io.IOException.class, java.util.concurrent.TimeoutException.class);
    }

    @Test
    void aTlsClientWithoutACertificateIsRefused() throws Exception {
        ConnectionFactory noCertificate = bareFactory();
        PemSslStoreDetails trustStore = PemSslStoreDetails.forCertificate("file:" + this.rabbit.certificateAuthority());
        noCertificate.useSslProtocol(
                SslBundle.of(new PemSslStoreBundle(null, trustStore)).createSslContext());
        noCertificate.enableHostnameVerification();
        assertThatThrownBy(() ->
                        noCertificate.newConnection("no-certificate-probe").close())
                .isInstanceOfAny(java.io.IOException.class, java.util.concurrent.TimeoutException.class);
    }

    @Test
    void aClientWithACertificateOfAnotherCaIsRefused(@TempDir Path other) {
        PrivateCa stranger = PrivateCa.ensure(other, List.of());
        ConnectionFactory foreign = bareFactory();
        foreign.useSslProtocol(SslBundle.of(new PemSslStoreBundle(
                        new PemSslStoreDetails(
                                null,
                                "file:" + stranger.client().certificate(),
                                "file:" + stranger.client().privateKey()),
                        PemSslStoreDetails.forCertificate("file:" + this.rabbit.certificateAuthority())))
                .createSslContext());
        assertThatThrownBy(
                        () -> foreign.newConnection("foreign-certificate-probe").close())
                .isInstanceOfAny(java.io.IOException.class, java.util.concurrent.TimeoutException.class);
    }

    @Test
    void theJdbcUrlVerifiesTheServerAndTheSessionIsEncrypted() throws SQLException {
        assertThat(this.postgres.jdbcUrl()).contains("sslmode=verify-full").contains("sslrootcert=");
        try (java.sql.Connection connection = this.postgres.connect("orderly_api");
                Statement statement = connection.createStatement();
                ResultSet ssl = statement.executeQuery("select ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
            assertThat(ssl.next()).isTrue();
            assertThat(ssl.getBoolean(1)).isTrue();
        }
    }

    @Test
    void aConnectionWithoutTlsIsRefused() {
        String plaintext = "jdbc:postgresql://" + this.postgres.host() + ":" + this.postgres.port() + "/"
                + this.postgres.database() + "?sslmode=disable";
        assertThatExceptionOfType(SQLException.class)
                .isThrownBy(() -> DriverManager.getConnection(
                                plaintext, "orderly_api", this.postgres.passwordFor("orderly_api"))
                        .close())
                .satisfies(refused -> assertThat(refused.getMessage()).contains("no encryption"));
    }

    @Test
    void aServerCertificateOfAnotherCaFailsVerifyFull(@TempDir Path other) {
        PrivateCa stranger = PrivateCa.ensure(other, List.of());
        String trustingAnother = "jdbc:postgresql://" + this.postgres.host() + ":" + this.postgres.port() + "/"
                + this.postgres.database() + "?sslmode=verify-full&sslrootcert=" + stranger.authority();
        assertThatThrownBy(() -> DriverManager.getConnection(
                                trustingAnother, "orderly_api", this.postgres.passwordFor("orderly_api"))
                        .close())
                .isInstanceOf(SQLException.class)
                .rootCause()
                .isInstanceOf(java.security.GeneralSecurityException.class);
    }

    private ConnectionFactory bareFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(this.rabbit.host());
        factory.setPort(this.rabbit.amqpPort());
        factory.setVirtualHost(this.rabbit.virtualHost());
        factory.setUsername(this.rabbit.adminUser());
        factory.setPassword(this.rabbit.adminPassword());
        factory.setConnectionTimeout(5_000);
        factory.setHandshakeTimeout(5_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }
}
