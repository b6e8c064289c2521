package dev.orderly.testsupport;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The five services of the pipeline and every fact about each that a launcher, a benchmark or a test needs: its
 * module, where it listens, the database role it runs as (and the psql variable deploy/postgres/bootstrap.sql takes
 * its password from), its broker user, the domain it consumes for, and the stage it starts in.
 *
 * <p>The one table of these facts: {@code ./orderly} (the tools module), the system tests and the benchmarks read it
 * from here, and tests check that deploy/postgres/bootstrap.sql and deploy/rabbitmq/definitions.json agree with it.
 * Adding a service means adding a constant here, its role to bootstrap.sql and its user to definitions.json.
 *
 * <p>Invariant: constants are in start order; names, roles, users and port variables are unique.
 */
public enum Service {
    ORDER_API(
            "order-api",
            "api",
            Stage.INTAKE,
            "ORDERLY_API_PORT",
            8080,
            "orderly_api",
            "api_password",
            "ORDERLY_API_DB_PASSWORD",
            null,
            null,
            null),
    ORDER_WORKER(
            "order-worker",
            "order",
            Stage.WORKERS,
            "ORDERLY_ORDER_WORKER_MANAGEMENT_PORT",
            8181,
            "orderly_order_worker",
            "order_worker_password",
            "ORDERLY_ORDER_WORKER_DB_PASSWORD",
            "orderly-order-worker",
            "ORDERLY_ORDER_WORKER_RABBITMQ_PASSWORD",
            "order"),
    PAYMENT_WORKER(
            "payment-worker",
            "payment",
            Stage.WORKERS,
            "ORDERLY_PAYMENT_WORKER_MANAGEMENT_PORT",
            8182,
            "orderly_payments",
            "payments_password",
            "ORDERLY_PAYMENTS_DB_PASSWORD",
            "orderly-payment-worker",
            "ORDERLY_PAYMENT_WORKER_RABBITMQ_PASSWORD",
            "payment"),
    SHIPPING_WORKER(
            "shipping-worker",
            "shipping",
            Stage.WORKERS,
            "ORDERLY_SHIPPING_WORKER_MANAGEMENT_PORT",
            8183,
            "orderly_shipping",
            "shipping_password",
            "ORDERLY_SHIPPING_DB_PASSWORD",
            "orderly-shipping-worker",
            "ORDERLY_SHIPPING_WORKER_RABBITMQ_PASSWORD",
            "shipping"),
    OUTBOX_RELAY(
            "outbox-relay",
            "relay",
            Stage.RELAY,
            "ORDERLY_RELAY_PORT",
            8081,
            "orderly_relay",
            "relay_password",
            "ORDERLY_RELAY_DB_PASSWORD",
            "orderly-relay",
            "ORDERLY_RELAY_RABBITMQ_PASSWORD",
            null);

    /**
     * When a service starts: each stage is started together and awaited (readiness) before the next. order-api
     * first, since its migrations create the orders schema order-worker uses; the relay last, so that every outbox
     * table it drains exists.
     */
    public enum Stage {
        INTAKE,
        WORKERS,
        RELAY
    }

    private final String serviceName;
    private final String alias;
    private final Stage stage;
    private final String portVariable;
    private final int defaultPort;
    private final String databaseRole;
    private final String passwordVariable;
    private final String databasePasswordKey;
    private final @Nullable String brokerUser;
    private final @Nullable String brokerPasswordKey;
    private final @Nullable String domain;

    Service(
            String serviceName,
            String alias,
            Stage stage,
            String portVariable,
            int defaultPort,
            String databaseRole,
            String passwordVariable,
            String databasePasswordKey,
            @Nullable String brokerUser,
            @Nullable String brokerPasswordKey,
            @Nullable String domain) {
        this.serviceName = serviceName;
        this.alias = alias;
        this.stage = stage;
        this.portVariable = portVariable;
        this.defaultPort = defaultPort;
        this.databaseRole = databaseRole;
        this.passwordVariable = passwordVariable;
        this.databasePasswordKey = databasePasswordKey;
        this.brokerUser = brokerUser;
        this.brokerPasswordKey = brokerPasswordKey;
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

    /** The launcher's variable for the port of the service's HTTP side (API or management). */
    public String portVariable() {
        return portVariable;
    }

    /** The port the launcher prefers when it is free. */
    public int defaultPort() {
        return defaultPort;
    }

    /** The PostgreSQL login role the service runs as, created by bootstrap.sql. */
    public String databaseRole() {
        return databaseRole;
    }

    /** The psql variable bootstrap.sql reads this role's password from. */
    public String passwordVariable() {
        return passwordVariable;
    }

    /** The launcher's key for the role's generated password. */
    public String databasePasswordKey() {
        return databasePasswordKey;
    }

    /** The password this role gets in test databases: fixed, so a failing test can be replayed by hand. */
    public String testPassword() {
        return databaseRole + "-test-password";
    }

    /** The broker user the service connects as, from definitions.json; empty for order-api, which needs no broker. */
    public Optional<String> brokerUser() {
        return Optional.ofNullable(brokerUser);
    }

    /** The launcher's key for the broker user's generated password, if the service has a broker user. */
    public Optional<String> brokerPasswordKey() {
        return Optional.ofNullable(brokerPasswordKey);
    }

    /** The domain a worker consumes for ({@code order}, {@code payment}, {@code shipping}); empty for the others. */
    public Optional<String> domain() {
        return Optional.ofNullable(domain);
    }

    /** The services in start order. */
    public static List<Service> all() {
        return List.of(values());
    }

    /** The database roles bootstrap.sql creates, in bootstrap order. */
    public static List<String> databaseRoles() {
        return Arrays.stream(values()).map(Service::databaseRole).toList();
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
            if (service.databaseRole.equals(role)) {
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
