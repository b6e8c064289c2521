package dev.orderly.testsupport;

import java.util.Arrays;
import java.util.List;

/**
 * The login roles that {@code deploy/postgres/bootstrap.sql} creates, each with the psql variable that carries its
 * password into the script and the fixed password tests use.
 *
 * <p>Invariant: this list matches the bootstrap script one for one. The script runs with {@code ON_ERROR_STOP}, so a
 * role added there without its variable here fails the bootstrap loudly rather than leaving a role without a password.
 */
public enum DatabaseRole {
    API("orderly_api", "api_password"),
    ORDER_WORKER("orderly_order_worker", "order_worker_password"),
    PAYMENTS("orderly_payments", "payments_password"),
    SHIPPING("orderly_shipping", "shipping_password"),
    RELAY("orderly_relay", "relay_password");

    private final String roleName;
    private final String passwordVariable;

    DatabaseRole(String roleName, String passwordVariable) {
        this.roleName = roleName;
        this.passwordVariable = passwordVariable;
    }

    /** The PostgreSQL role name, for example {@code orderly_api}. */
    public String roleName() {
        return this.roleName;
    }

    /** The psql variable bootstrap.sql reads this role's password from. */
    String passwordVariable() {
        return this.passwordVariable;
    }

    /** The password this role gets in test databases: fixed, so a failing test can be replayed by hand. */
    String testPassword() {
        return this.roleName + "-test-password";
    }

    /** The role names, in bootstrap order. */
    public static List<String> roleNames() {
        return Arrays.stream(values()).map(DatabaseRole::roleName).toList();
    }

    /**
     * The role with the given PostgreSQL name.
     *
     * @throws IllegalArgumentException naming the roles that do exist, if none has that name
     */
    public static DatabaseRole named(String roleName) {
        for (DatabaseRole role : values()) {
            if (role.roleName.equals(roleName)) {
                return role;
            }
        }
        throw new IllegalArgumentException("'" + roleName + "' is not a role that bootstrap.sql creates; use one of "
                + roleNames() + " (the superuser is reached with connectAsSuperuser())");
    }
}
