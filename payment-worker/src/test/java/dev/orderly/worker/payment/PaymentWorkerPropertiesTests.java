package dev.orderly.worker.payment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.AuthClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** payment-worker's defaults, as the service binds them with nothing set. */
class PaymentWorkerPropertiesTests {

    @Test
    void theLocalAuthServersDeclineDemoClientIsACustomerTheSimulatorDeclines() {
        PaymentWorkerProperties defaults = new Binder(new MapConfigurationPropertySource())
                .bindOrCreate("orderly.payment", PaymentWorkerProperties.class);

        // The client's id is its tokens' subject, the customer once order-api takes it from the token.
        assertThat(AuthClient.DECLINE_DEMO.clientId())
                .startsWith(defaults.simulator().declineCustomerPrefix());
        assertThat(AuthClient.SHOP.clientId())
                .doesNotStartWith(defaults.simulator().declineCustomerPrefix());
    }
}
