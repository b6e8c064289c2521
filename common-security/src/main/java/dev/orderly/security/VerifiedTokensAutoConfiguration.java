package dev.orderly.security;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Every {@link JwtDecoder} of the service (Spring Boot's, from {@code spring.security.oauth2.resourceserver.jwt.*},
 * or one the service declares) checks each distinct token once and knows it again until it expires
 * ({@link VerifiedTokens}); off with {@code orderly.security.verified-tokens.max-tokens=0}. Its hits and misses are
 * the {@code cache.gets} meters tagged {@code cache=orderly.verified-tokens}.
 */
@AutoConfiguration
@ConditionalOnClass(JwtDecoder.class)
@EnableConfigurationProperties(VerifiedTokensProperties.class)
public class VerifiedTokensAutoConfiguration {

    @Bean
    static BeanPostProcessor orderlyVerifiedTokens(
            ObjectProvider<VerifiedTokensProperties> settings, ObjectProvider<MeterRegistry> meters) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (!(bean instanceof JwtDecoder decoder) || bean instanceof VerifiedTokens) {
                    return bean;
                }
                long maxTokens = settings.getObject().maxTokens();
                if (maxTokens == 0) {
                    return bean;
                }
                VerifiedTokens tokens = VerifiedTokens.of(decoder, maxTokens);
                meters.ifAvailable(tokens::measuredBy);
                return tokens;
            }
        };
    }
}
