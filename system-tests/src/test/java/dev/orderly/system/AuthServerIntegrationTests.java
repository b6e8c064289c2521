package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * The local auth-server as {@code ./orderly up} runs it beside the pipeline: a token taken with {@code ./orderly token}
 * verifies against the JWK set the auth-server publishes, carries the client's scopes and its id as subject; every
 * service of the pipeline is given that JWK set (and no client's secret); {@code ./orderly status} shows the
 * auth-server. No service requires a token yet.
 */
@ExtendWith(PipelineExtension.class)
class AuthServerIntegrationTests {

    private static final String JWK_SET_URI = "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI";

    private final Pipeline pipeline;

    AuthServerIntegrationTests(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    private String jwkSetUri() {
        return pipeline.base(Service.AUTH_SERVER) + "/oauth2/jwks";
    }

    @Test
    void aTokenFromOrderlyTokenVerifiesAgainstTheAuthServersJwkSetWithTheClientsScopes() {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwkSetUri()).build();
        decoder.setJwtValidator(JwtValidators.createDefaultWithIssuer(pipeline.base(Service.AUTH_SERVER)));

        Jwt shop = decoder.decode(pipeline.token("shop"));
        Jwt operator = decoder.decode(pipeline.token("operator"));

        assertThat(shop.getSubject()).isEqualTo("shop");
        assertThat(shop.getClaimAsStringList("scope")).containsExactlyInAnyOrder("orders:write", "orders:read");
        assertThat(operator.getClaimAsStringList("scope")).contains("orders:read-all", "parkinglot:purge");
        assertThat(decoder.decode(pipeline.token("decline-demo")).getSubject())
                .as("a customer payment-worker's simulator declines")
                .startsWith("decline-");
    }

    @Test
    void everyServiceOfThePipelineIsGivenTheAuthServersJwkSetAndNoClientsSecret() throws IOException {
        Faults faults = new Faults(pipeline);
        for (Service service : Service.pipeline()) {
            List<String> environment = environment(faults.pid(service.serviceName()));

            assertThat(environment).as(service.serviceName()).contains(JWK_SET_URI + "=" + jwkSetUri());
            assertThat(environment)
                    .as("%s sees no client secret", service.serviceName())
                    .noneMatch(variable -> variable.startsWith("ORDERLY_AUTH_"));
        }
        assertThat(environment(faults.pid(Service.AUTH_SERVER.serviceName())))
                .as("the auth-server has every client's secret")
                .anySatisfy(variable -> assertThat(variable).startsWith(AuthClient.SHOP.secretKey() + "="))
                .anySatisfy(variable -> assertThat(variable).startsWith(AuthClient.MONITORING.secretKey() + "="));
    }

    @Test
    void statusShowsTheAuthServerReady() {
        assertThat(pipeline.orderly("status").lines())
                .anySatisfy(line -> assertThat(line).contains("auth-server").contains("readiness UP"));
    }

    /** A process's environment, one {@code NAME=value} per entry: a child of this user's, so readable. */
    private static List<String> environment(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }
}
