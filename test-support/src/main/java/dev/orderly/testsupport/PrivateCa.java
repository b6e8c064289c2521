package dev.orderly.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A private certificate authority and the certificates it signs, as PEM files in one directory, made with
 * {@code openssl} (the documented, inspectable way: {@code openssl x509 -in <file> -noout -text} shows each): the CA
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

    private static final String AUTHORITY = "ca";
    private static final String CLIENT = "client";
    private static final List<String> SERVERS = List.of("postgres", "rabbitmq");
    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(30);

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

    private Pair pair(String name) {
        return new Pair(this.directory.resolve(name + ".crt"), this.directory.resolve(name + ".key"));
    }

    private boolean complete() {
        return Stream.concat(Stream.of(AUTHORITY, CLIENT), SERVERS.stream())
                .allMatch(name -> Files.isRegularFile(this.directory.resolve(name + ".crt"))
                        && Files.isRegularFile(this.directory.resolve(name + ".key")));
    }

    private void generate(List<String> serverHosts) {
        try {
            Files.createDirectories(this.directory);
            openssl(
                    "req",
                    "-x509",
                    "-new",
                    "-nodes",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:prime256v1",
                    "-keyout",
                    key(AUTHORITY),
                    "-out",
                    certificate(AUTHORITY),
                    "-days",
                    "3650",
                    "-subj",
                    "/O=Orderly/CN=Orderly private CA",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign");
            Set<String> names = new LinkedHashSet<>(List.of("DNS:localhost", "IP:127.0.0.1"));
            serverHosts.forEach(host -> names.add("DNS:" + host));
            for (String server : SERVERS) {
                sign(server, "serverAuth", String.join(",", names));
            }
            sign(CLIENT, "clientAuth", "DNS:orderly-services");
            try (Stream<Path> files = Files.list(this.directory)) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".csr") || name.endsWith(".ext") || name.endsWith(".srl")) {
                        Files.delete(file);
                    } else if (name.endsWith(".key")) {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    } else {
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not make the private CA's certificates in " + this.directory, ex);
        }
    }

    /** A key and a certificate signed by the CA, for one extended key usage, with these subject alternative names. */
    private void sign(String name, String usage, String alternativeNames) throws IOException {
        String extensions = this.directory.resolve(name + ".ext").toString();
        Files.writeString(
                Path.of(extensions),
                "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\n"
                        + "extendedKeyUsage=" + usage + "\nsubjectAltName=" + alternativeNames + "\n");
        openssl(
                "req",
                "-new",
                "-nodes",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-keyout",
                key(name),
                "-out",
                this.directory.resolve(name + ".csr").toString(),
                "-subj",
                "/O=Orderly/CN=" + name);
        openssl(
                "x509",
                "-req",
                "-in",
                this.directory.resolve(name + ".csr").toString(),
                "-CA",
                certificate(AUTHORITY),
                "-CAkey",
                key(AUTHORITY),
                "-CAserial",
                this.directory.resolve(AUTHORITY + ".srl").toString(),
                "-CAcreateserial",
                "-days",
                "825",
                "-extfile",
                extensions,
                "-out",
                certificate(name));
    }

    private String key(String name) {
        return this.directory.resolve(name + ".key").toString();
    }

    private String certificate(String name) {
        return this.directory.resolve(name + ".crt").toString();
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Map<String, String> environment = Command.inheritedEnvironment(name -> name.startsWith("OPENSSL"));
        try {
            Command.runChecked("openssl " + args[0] + " in " + this.directory, command, environment, OPENSSL_TIMEOUT);
        } catch (IllegalStateException ex) {
            throw new IllegalStateException(
                    ex.getMessage() + "\n  (openssl is Debian's package openssl; ./orderly "
                            + "installs it when run as root)",
                    ex);
        }
    }
}
