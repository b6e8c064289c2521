package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

/** The table of the local auth-server's clients: one name rule for secrets, and errors that list the clients. */
class AuthClientTests {

    @Test
    void aSecretIsNamedByTheRelaxedNameOfTheServersProperty() {
        assertThat(AuthClient.SHOP.secretKey()).isEqualTo("ORDERLY_AUTH_CLIENTS_SHOP_SECRET");
        assertThat(AuthClient.INVENTORY_ADMIN.secretKey()).isEqualTo("ORDERLY_AUTH_CLIENTS_INVENTORY_ADMIN_SECRET");
    }

    @Test
    void anUnknownClientIsRefusedNamingEveryClient() {
        assertThat(AuthClient.withId("decline-demo")).isEqualTo(AuthClient.DECLINE_DEMO);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> AuthClient.withId("admin"))
                .withMessageContaining("'admin'")
                .withMessageContaining("[shop, decline-demo, inventory-admin, operator, monitoring, console]");
    }

    @Test
    void theConsoleIsTheOneClientWithoutATokenOfItsOwn() {
        assertThat(AuthClient.CONSOLE.clientCredentials()).isFalse();
        assertThat(AuthClient.machineClients())
                .containsExactly(
                        AuthClient.SHOP,
                        AuthClient.DECLINE_DEMO,
                        AuthClient.INVENTORY_ADMIN,
                        AuthClient.OPERATOR,
                        AuthClient.MONITORING);
    }

    @Test
    void aUsersPasswordIsNamedByTheRelaxedNameOfTheServersProperty() {
        assertThat(AuthUser.OPERATOR.passwordKey()).isEqualTo("ORDERLY_AUTH_USERS_OPERATOR_PASSWORD");
        assertThat(AuthUser.usernames()).containsExactly("operator", "viewer");
    }
}
