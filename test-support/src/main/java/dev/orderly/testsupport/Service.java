package dev.orderly.testsupport;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The services a launcher starts and every fact about each that a launcher, a benchmark or a test needs: its module,
 * the port it prefers, the database role it runs as, its broker user, the domain it consumes for, and the stage it
 * starts in. They are the five services of the pipeline ({@link #pipeline()}), the auth-server, the local run's and
 * compose's stand-in for the user's identity provider, which has no database role and no broker user and which
 * production deployments (the Helm chart) do not run, and the operator's console, which has neither either and which
 * only looks at and operates the others.
 *
 * <p>The one table of these facts: {@code ./orderly} (the tools module), the system tests and the benchmarks read it
 * from here, and tests check that deploy/postgres/bootstrap.sql and deploy/rabbitmq/definitions.json agree with it.
 * Adding a service means adding a constant here, its role to bootstrap.sql and its user to definitions.json.
 *
 * <p>Every variable name is derived from these facts by one rule (docs/configuration.md): the launcher's port of the
 * service is {@code ORDERLY_<SERVICE>_PORT} ({@code ORDERLY_ORDER_API_PORT}), and of a management side on a port of
 * its own {@code ORDERLY_<SERVICE>_MANAGEMENT_PORT} ({@code ORDERLY_ORDER_API_MANAGEMENT_PORT}); its role's password
 * {@code ORDERLY_POSTGRES_<ROLE>_PASSWORD} and its broker user's {@code ORDERLY_RABBITMQ_<USER>_PASSWORD}, each name
 * without its {@code orderly} prefix ({@code ORDERLY_POSTGRES_PAYMENTS_PASSWORD},
 * {@code ORDERLY_RABBITMQ_PAYMENT_WORKER_PASSWORD}); the psql variable bootstrap.sql reads the role's password from is
 * {@code <role>_password} ({@code payments_password}). The service itself always listens on {@code SERVER_PORT}, and
 * a management side of its own on {@code MANAGEMENT_SERVER_PORT}.
 *
 * <p>Invariant: constants are in start order; names, roles, users and ports are unique; every service of the pipeline
 * has a database role.
 */
public enum Service {
    AUTH_SERVER("auth-server", "auth", Stage.AUTH, 9000, null, null, null, null),
    ORDER_API("order-api", "api", Stage.INTAKE, 8080, 8090, "orderly_api", null, null),
    ORDER_WORKER(
            "order-worker",
            "order",
            Stage.WORKERS,
            8181,
            null,
            "orderly_order_worker",
            "orderly-order-worker",
            "order"),
    PAYMENT_WORKER(
            "payment-worker",
            "payment",
            Stage.WORKERS,
            8182,
            null,
            "orderly_payments",
            "orderly-payment-worker",
            "payment"),
    SHIPPING_WORKER(
            "shipping-worker",
            "shipping",
            Stage.WORKERS,
            8183,
            null,
            "orderly_shipping",
            "orderly-shipping-worker",
            "shipping"),
    OUTBOX_RELAY("outbox-relay", "relay", Stage.RELAY, 8081, null, "orderly_relay", "orderly-relay", null),
    /**
     * The operator's console: reads the others' management sides with its signed-in user's token and the broker's
     * management API as the monitoring user; no database role, no broker (AMQP) user.
     */
    CONSOLE("console", "console", Stage.CONSOLE, 8184, null, null, null, null);

    /**
     * When a service starts: each stage is started together and awaited (readiness) before the next. The auth-server
     * first, since the services take its JWK set to check tokens with; then order-api, since its migrations create the
     * orders schema order-worker uses; the relay after them, so that every outbox table it drains exists; the console
     * last, since it shows the others.
     */
    public enum Stage {
        AUTH,
        INTAKE,
        WORKERS,
        RELAY,
        CONSOLE
    }

    private static final String ROLE_PREFIX = "orderly_";
    private static final String USER_PREFIX = "orderly-";

    private final String serviceName;
    private final String alias;
    private final Stage stage;
    private final int defaultPort;
    private final @Nullable Integer defaultManagementPort;
    private final @Nullable String databaseRole;
    private final @Nullable String brokerUser;
    private final @Nullable String domain;

    Service(
            String serviceName,
            String alias,
            Stage stage,
            int defaultPort,
            @Nullable Integer defaultManagementPort,
            @Nullable String databaseRole,
            @Nullable String brokerUser,
            @Nullable String domain) {
        this.serviceName = serviceName;
        this.alias = alias;
        this.stage = stage;
        this.defaultPort = defaultPort;
        this.defaultManagementPort = defaultManagementPort;
        this.databaseRole = databaseRole;
        this.brokerUser = brokerUser;
        this.domain = domain;
    }

    /** The service's name, which is also its Maven module and its runnable jar's name: {@code order-api}. */
    public String serviceName() {
        return serviceName;
    }

    /** A short name for the command line: {@code api}, {@code relay}, {@code order}, {@code payment}, ... */
    public String alias() {
        return alias;
    }

    public Stage stage() {
        return stage;
    }

    /**
     * The launcher's variable for the port of the service's HTTP side (order-api's API, the others' management side),
     * {@code ORDERLY_<SERVICE>_PORT}: the port {@code ./orderly up} wants for it and records in its state file. The
     * service itself is given it as {@code SERVER_PORT}.
     */
    public String portVariable() {
        return variable(serviceName) + "_PORT";
    }

    /**
     * The variable {@code ./orderly parking-lot} takes the service's address from when it is not on loopback,
     * {@code ORDERLY_<SERVICE>_ADDRESS}.
     */
    public String addressVariable() {
        return variable(serviceName) + "_ADDRESS";
    }

    /** The port the launcher prefers when it is free. */
    public int defaultPort() {
        return defaultPort;
    }

    /**
     * The launcher's variable for the port of the service's management side when that is a port of its own,
     * {@code ORDERLY_<SERVICE>_MANAGEMENT_PORT} ({@code ORDERLY_ORDER_API_MANAGEMENT_PORT}): order-api's actuator
     * is not on its API port. The service itself is given it as {@code MANAGEMENT_SERVER_PORT}. Empty for the services
     * whose HTTP side is their management side.
     */
    public Optional<String> managementPortVariable() {
        return Optional.ofNullable(defaultManagementPort).map(port -> variable(serviceName) + "_MANAGEMENT_PORT");
    }

    /** The management port the launcher prefers when it is free, if the service has one of its own. */
    public Optional<Integer> defaultManagementPort() {
        return Optional.ofNullable(defaultManagementPort);
    }

    /**
     * The launcher's variable for the port the service's actuator answers on (readiness, metrics): its management
     * port if it has one of its own, else {@link #portVariable()}.
     */
    public String actuatorPortVariable() {
        return managementPortVariable().orElse(portVariable());
    }

    /** The PostgreSQL login role the service runs as, created by bootstrap.sql; empty for the auth-server. */
    public Optional<String> databaseRole() {
        return Optional.ofNullable(databaseRole);
    }

    /** The psql variable bootstrap.sql reads this role's password from: {@code payments_password}. */
    public Optional<String> passwordVariable() {
        return databaseRole().map(role -> unprefixed(role, ROLE_PREFIX) + "_password");
    }

    /** The launchers' name of the role's password: {@code ORDERLY_POSTGRES_PAYMENTS_PASSWORD}. */
    public Optional<String> databasePasswordKey() {
        return databaseRole().map(role -> "ORDERLY_POSTGRES_" + upper(unprefixed(role, ROLE_PREFIX)) + "_PASSWORD");
    }

    /** The password this role gets in test databases: fixed, so a failing test can be replayed by hand. */
    public Optional<String> testPassword() {
        return databaseRole().map(role -> role + "-test-password");
    }

    /**
     * The broker user the service connects as, from definitions.json; empty for order-api, which needs no broker, and
     * the auth-server.
     */
    public Optional<String> brokerUser() {
        return Optional.ofNullable(brokerUser);
    }

    /**
     * The launchers' name of the broker user's password, if the service has a broker user:
     * {@code ORDERLY_RABBITMQ_PAYMENT_WORKER_PASSWORD}.
     */
    public Optional<String> brokerPasswordKey() {
        return brokerUser().map(user -> "ORDERLY_RABBITMQ_" + upper(unprefixed(user, USER_PREFIX)) + "_PASSWORD");
    }

    /** The domain a worker consumes for ({@code order}, {@code payment}, {@code shipping}); empty for the others. */
    public Optional<String> domain() {
        return Optional.ofNullable(domain);
    }

    /** {@code payment-worker} as the prefix of its variables, as in {@code ORDERLY_PAYMENT_WORKER_PORT}. */
    private static String variable(String name) {
        return "ORDERLY_" + upper(name);
    }

    /** {@code payment-worker} as {@code PAYMENT_WORKER}. */
    private static String upper(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String unprefixed(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            throw new IllegalStateException(name + " does not start with " + prefix);
        }
        return name.substring(prefix.length());
    }

    /** Every service a launcher starts, the auth-server included, in start order. */
    public static List<Service> all() {
        return List.of(values());
    }

    /**
     * The five services of the pipeline, in start order: all but the auth-server and the console. The Helm chart runs
     * these, and Prometheus scrapes them.
     */
    public static List<Service> pipeline() {
        return Arrays.stream(values())
                .filter(service -> service.stage != Stage.AUTH && service.stage != Stage.CONSOLE)
                .toList();
    }

    /** The database roles bootstrap.sql creates, in bootstrap order. */
    public static List<String> databaseRoles() {
        return Arrays.stream(values())
                .flatMap(service -> service.databaseRole().stream())
                .toList();
    }

    /**
     * The service with this name or alias ({@code order-api} or {@code api}, {@code payment-worker} or
     * {@code payment}).
     *
     * @throws IllegalArgumentException naming the services there are, if none is called that
     */
    public static Service named(String name) {
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        for (Service service : values()) {
            if (service.serviceName.equals(wanted) || service.alias.equals(wanted)) {
                return service;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a service; one of "
                + Arrays.stream(values()).map(Service::serviceName).toList() + " (or "
                + Arrays.stream(values()).map(Service::alias).toList() + ")");
    }

    /**
     * The service running as this database role.
     *
     * @throws IllegalArgumentException naming the roles there are, if none is called that
     */
    public static Service withRole(String role) {
        for (Service service : values()) {
            if (role.equals(service.databaseRole)) {
                return service;
            }
        }
        throw new IllegalArgumentException("'" + role + "' is not a role that bootstrap.sql creates; use one of "
                + databaseRoles() + " (the superuser is reached with connectAsSuperuser())");
    }

    /** The worker consuming for {@code domain}. */
    public static Service forDomain(String domain) {
        for (Service service : values()) {
            if (domain.equals(service.domain)) {
                return service;
            }
        }
        throw new IllegalArgumentException(
                "'" + domain + "' is not a worker's domain; one of order, payment, shipping");
    }
}
