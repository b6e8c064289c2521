package dev.orderly.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.TestKeys;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** A service given no way to check tokens does not start, and the message names the settings to set. */
class TokenCheckTests {

    final WebApplicationContextRunner context = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    ManagementSecurityAutoConfiguration.class,
                    OAuth2ResourceServerAutoConfiguration.class,
                    ServletWebSecurityAutoConfiguration.class))
            .withPropertyValues("spring.application.name=payment-worker");

    @Test
    void withoutAnyTokenSettingTheServiceDoesNotStartAndSaysWhatToSet() {
        context.run(started -> assertThat(started)
                .hasFailed()
                .getFailure()
                .hasMessageContaining("payment-worker cannot check access tokens")
                .hasMessageContaining("spring.security.oauth2.resourceserver.jwt.jwk-set-uri")
                .hasMessageContaining("spring.security.oauth2.resourceserver.jwt.issuer-uri")
                .hasMessageContaining("spring.security.oauth2.resourceserver.jwt.public-key-location")
                .hasMessageContaining("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI"));
    }

    @Test
    void aBlankSettingIsNoSetting() {
        context.withPropertyValues("spring.security.oauth2.resourceserver.jwt.jwk-set-uri= ")
                .run(started -> assertThat(started).hasFailed());
    }

    @Test
    void withAPublicKeyTheCheckPasses() {
        context.withPropertyValues(TestKeys.PUBLIC_KEY_LOCATION + "=" + TestKeys.publicKeyLocation())
                .run(started -> assertThat(started.getStartupFailure())
                        .as("the token check")
                        .satisfiesAnyOf(
                                failure -> assertThat(failure).isNull(),
                                failure -> assertThat(failure).hasMessageNotContaining("cannot check")));
    }
}
