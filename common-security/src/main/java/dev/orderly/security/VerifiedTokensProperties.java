package dev.orderly.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The verified tokens a service keeps ({@link VerifiedTokens}), under {@code orderly.security.verified-tokens}.
 *
 * @param maxTokens how many distinct tokens are kept at most, the least used going first (about 3 KB each: a token and
 *     its parsed claims); {@code 0} checks every request's token afresh
 */
@ConfigurationProperties("orderly.security.verified-tokens")
public record VerifiedTokensProperties(@DefaultValue("1000") long maxTokens) {

    public VerifiedTokensProperties {
        if (maxTokens < 0) {
            throw new IllegalArgumentException(
                    "orderly.security.verified-tokens.max-tokens must be 0 (off) or more, was " + maxTokens);
        }
    }
}
