package dev.orderly.testsupport;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The clients of the local authorization server (module auth-server, the local run's and compose's stand-in for the
 * user's identity provider): the id each one is registered under, and the name of its secret.
 *
 * <p>The one list of clients that {@code ./orderly} (which generates a secret for each and prints tokens), compose's
 * {@code .env.example} and the system tests read. Each client's scopes are the auth-server's own, in its
 * application.yaml (docs/auth-server.md has the table); the auth-server's tests check that it registers exactly these
 * ids.
 *
 * <p>Invariant: a secret's name is the relaxed name of the auth-server's property for it,
 * {@code orderly.auth.clients.<id>.secret} as {@code ORDERLY_AUTH_CLIENTS_<ID>_SECRET}: one name for the launchers and
 * the server.
 */
public enum AuthClient {
    /** A shop front-end: places and reads its own orders; the subject, {@code shop}, is the customer. */
    SHOP("shop"),
    /**
     * A second shop whose customer the payment simulator declines: its subject starts with the simulator's decline
     * prefix ({@code decline-}), so that the decline path stays demonstrable with a real token.
     */
    DECLINE_DEMO("decline-demo"),
    /** Reads and sets stock. */
    INVENTORY_ADMIN("inventory-admin"),
    /** Reads every order, operates the parking lots, reads the actuator. */
    OPERATOR("operator"),
    /** Scrapes metrics. */
    MONITORING("monitoring"),
    /**
     * The operator's console (module console): a web application whose people sign in at the auth-server (the
     * authorization-code grant, {@link AuthUser}); it never gets a token of its own, so it has no client-credentials
     * grant and {@code ./orderly token} has nothing to print for it.
     */
    CONSOLE("console", false);

    private final String clientId;
    private final boolean clientCredentials;

    AuthClient(String clientId) {
        this(clientId, true);
    }

    AuthClient(String clientId, boolean clientCredentials) {
        this.clientId = clientId;
        this.clientCredentials = clientCredentials;
    }

    /** The id the client is registered under, which is also its tokens' subject. */
    public String clientId() {
        return clientId;
    }

    /** The name of the client's secret: {@code ORDERLY_AUTH_CLIENTS_INVENTORY_ADMIN_SECRET}. */
    public String secretKey() {
        return "ORDERLY_AUTH_CLIENTS_" + clientId.toUpperCase(Locale.ROOT).replace('-', '_') + "_SECRET";
    }

    /**
     * Whether the client gets tokens of its own with the client-credentials grant (every one but the console, whose
     * tokens are its signed-in users').
     */
    public boolean clientCredentials() {
        return clientCredentials;
    }

    /** The clients that get tokens of their own ({@link #clientCredentials()}), in declaration order. */
    public static List<AuthClient> machineClients() {
        return Arrays.stream(values()).filter(AuthClient::clientCredentials).toList();
    }

    /** Every client's id, in declaration order. */
    public static List<String> clientIds() {
        return Arrays.stream(values()).map(AuthClient::clientId).toList();
    }

    /**
     * The client with this id.
     *
     * @throws IllegalArgumentException naming the clients there are, if none has that id
     */
    public static AuthClient withId(String clientId) {
        for (AuthClient client : values()) {
            if (client.clientId.equals(clientId.strip())) {
                return client;
            }
        }
        throw new IllegalArgumentException(
                "'" + clientId + "' is not a client of the local auth-server; one of " + clientIds());
    }
}
