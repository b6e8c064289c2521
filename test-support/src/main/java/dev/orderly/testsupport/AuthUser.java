package dev.orderly.testsupport;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The people of the local authorization server (module auth-server): who signs in to the operator's console, and the
 * name of each one's password. Their scopes are the auth-server's own, in its application.yaml (docs/auth-server.md
 * has the table).
 *
 * <p>Invariant: a password's name is the relaxed name of the auth-server's property for it,
 * {@code orderly.auth.users.<name>.password} as {@code ORDERLY_AUTH_USERS_<NAME>_PASSWORD}: one name for the
 * launchers and the server.
 */
public enum AuthUser {
    /** Sees everything and acts: replays and purges parked messages. */
    OPERATOR("operator"),
    /** Sees what the operator sees and changes nothing (no replay, no purge). */
    VIEWER("viewer");

    private final String username;

    AuthUser(String username) {
        this.username = username;
    }

    /** The name the user signs in with, which is also the subject of the tokens issued for them. */
    public String username() {
        return username;
    }

    /** The name of the user's password: {@code ORDERLY_AUTH_USERS_OPERATOR_PASSWORD}. */
    public String passwordKey() {
        return "ORDERLY_AUTH_USERS_" + username.toUpperCase(Locale.ROOT).replace('-', '_') + "_PASSWORD";
    }

    /** Every user's name, in declaration order. */
    public static List<String> usernames() {
        return Arrays.stream(values()).map(AuthUser::username).toList();
    }
}
