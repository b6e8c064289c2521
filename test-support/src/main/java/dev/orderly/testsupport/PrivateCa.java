package dev.orderly.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * A private certificate authority and the certificates it signs, as PEM files in one directory, made by
 * {@code deploy/tls/make-certificates.sh} with {@code openssl} (the one recipe, which compose runs too; inspectable:
 * {@code openssl x509 -in <file> -noout -text} shows each): the CA
 * ({@code ca.crt}), a server certificate each for PostgreSQL ({@code postgres.crt}) and RabbitMQ
 * ({@code rabbitmq.crt}), and the client certificate the services present to RabbitMQ ({@code client.crt}), each key
 * beside its certificate ({@code .key}, PKCS#8, mode 600). Keys are EC P-256: generating them takes milliseconds.
 *
 * <p>The tests make one per JVM in their run directory; {@code ./orderly up} one that persists in {@code .orderly/tls};
 * {@code ./orderly compose-env} one for compose. Servers verify clients against {@code ca.crt}; clients verify a
 * server's certificate and its host name ({@code verify-full}) against it, so a server certificate names every host a
 * client connects to: {@code localhost}, {@code 127.0.0.1} and the names given (compose's service names).
 *
 * <p>Invariant: a directory's files are made once and then only read: {@link #ensure} keeps a complete set as it is
 * (servers may be running with it) and makes a new set only where one is missing; the CA's key never leaves the
 * directory.
 */
public final class PrivateCa {

    /** A certificate and its private key. */
    public record Pair(Path certificate, Path privateKey) {}

    static final String SCRIPT_RESOURCE = "/orderly/tls/make-certificates.sh";

    private static final String AUTHORITY = "ca";
    private static final String CLIENT = "client";
    private static final List<String> SERVERS = List.of("postgres", "rabbitmq");
    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;

    private PrivateCa(Path directory) {
        this.directory = directory;
    }

    /**
     * The CA in {@code directory}, made with its certificates unless a complete set is there.
     *
     * @param serverHosts host names a server certificate names besides {@code localhost} and {@code 127.0.0.1}
     */
    public static PrivateCa ensure(Path directory, List<String> serverHosts) {
        PrivateCa ca = new PrivateCa(directory);
        if (!ca.complete()) {
            ca.generate(serverHosts);
        }
        return ca;
    }

    /** The CA whose files are (or are to be) in {@code directory}, without making any. */
    public static PrivateCa at(Path directory) {
        return new PrivateCa(directory);
    }

    /** The directory of the PEM files. */
    public Path directory() {
        return this.directory;
    }

    /** The CA's certificate: what every server and client trusts. */
    public Path authority() {
        return this.directory.resolve(AUTHORITY + ".crt");
    }

    /** PostgreSQL's server certificate. */
    public Pair postgres() {
        return pair("postgres");
    }

    /** RabbitMQ's server certificate. */
    public Pair rabbitmq() {
        return pair("rabbitmq");
    }

    /** The client certificate the services (and the tests) present to RabbitMQ. */
    public Pair client() {
        return pair(CLIENT);
    }

    /**
     * A TLS context that presents {@link #client()} and trusts {@link #authority()} only, made by Spring Boot's PEM SSL
     * bundle as a service's {@code spring.ssl.bundle.pem.rabbitmq} makes its own: what a test's AMQP client uses.
     */
    public SSLContext clientSslContext() {
        return sslContext(client(), authority());
    }

    static SSLContext sslContext(Pair client, Path authority) {
        PemSslStoreDetails keyStore =
                new PemSslStoreDetails(null, "file:" + client.certificate(), "file:" + client.privateKey());
        PemSslStoreDetails trustStore = PemSslStoreDetails.forCertificate("file:" + authority);
        return SslBundle.of(new PemSslStoreBundle(keyStore, trustStore)).createSslContext();
    }

    private Pair pair(String name) {
        return new Pair(this.directory.resolve(name + ".crt"), this.directory.resolve(name + ".key"));
    }

    private boolean complete() {
        return Stream.concat(Stream.of(AUTHORITY, CLIENT), SERVERS.stream())
                .allMatch(name -> Files.isRegularFile(this.directory.resolve(name + ".crt"))
                        && Files.isRegularFile(this.directory.resolve(name + ".key")));
    }

    /** Runs deploy/tls/make-certificates.sh (from the class path) for this directory. */
    private void generate(List<String> serverHosts) {
        Path script = null;
        try (InputStream in = PrivateCa.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Classpath resource " + SCRIPT_RESOURCE + " is missing: test-support's "
                        + "build copies it from deploy/tls/make-certificates.sh; rebuild test-support.");
            }
            Files.createDirectories(this.directory);
            script = Files.createTempFile("orderly-make-certificates", ".sh");
            Files.write(script, in.readAllBytes());
            List<String> command = new ArrayList<>(List.of("bash", script.toString(), this.directory.toString()));
            command.addAll(serverHosts);
            Command.runChecked(
                    "Making the private CA's certificates in " + this.directory + " (openssl, Debian's package "
                            + "openssl; ./orderly installs it when run as root)",
                    command,
                    Command.inheritedEnvironment(name -> name.startsWith("OPENSSL")),
                    OPENSSL_TIMEOUT);
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not make the private CA's certificates in " + this.directory, ex);
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ex) {
                    // A temporary file left behind; nothing depends on it.
                }
            }
        }
    }
}
