package dev.orderly.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * A {@link JwtDecoder} that checks each distinct token once: the first request with a token goes to the service's own
 * decoder (signature, issuer, audience, times, as Spring Boot configured it), and the same token on later requests is
 * answered with the {@link Jwt} that check produced, until the token expires. A client sends thousands of requests with
 * one token, and the check is a large share of a request's CPU (an RSA verification and the claims parsed again:
 * 12.8 % of order-api's CPU in docs/benchmarks.md's profile).
 *
 * <p>Invariant: nothing is accepted that the service's decoder would refuse at that moment. Only tokens it accepted
 * are kept (a refused one is checked again every time); an entry ends at the token's {@code exp}, so an expired token
 * goes back to the decoder, which refuses it; a token without {@code exp} is not kept. What a cached token keeps, as
 * any verified JWT does, is its validity until {@code exp} if its signing key is withdrawn meanwhile; the decoder's
 * own JWK-set cache has the same effect for up to five minutes. A kept token's {@code exp} is checked against the wall
 * clock on every hit as well, since the entry's end is measured on a monotonic ticker (a suspended machine, a clock
 * stepped forward). Bounded to {@code maxTokens} entries, the least used going first: a token and its parsed claims
 * take about 3 KB, so the default of 1,000 costs about 3 MB of heap at most.
 */
final class VerifiedTokens implements JwtDecoder {

    private final JwtDecoder decoder;
    private final Cache<String, Jwt> verified;
    private final Supplier<Instant> clock;

    /** Tokens {@code decoder} accepted, up to {@code maxTokens} of them, each until its expiry by {@code ticker}. */
    VerifiedTokens(JwtDecoder decoder, long maxTokens, Ticker ticker, Supplier<Instant> clock) {
        this.decoder = decoder;
        this.clock = clock;
        this.verified = Caffeine.newBuilder()
                .maximumSize(maxTokens)
                .expireAfter(Expiry.<String, Jwt>creating((token, jwt) -> lifetime(jwt)))
                .ticker(ticker)
                .recordStats()
                .build();
    }

    /** Tokens {@code decoder} accepted, up to {@code maxTokens}, each until its expiry by the system clock. */
    static VerifiedTokens of(JwtDecoder decoder, long maxTokens) {
        return new VerifiedTokens(decoder, maxTokens, Ticker.systemTicker(), Instant::now);
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        @Nullable Jwt known = verified.getIfPresent(token);
        if (known != null && stillValid(known)) {
            return known;
        }
        if (known != null) {
            verified.invalidate(token);
        }
        Jwt jwt = decoder.decode(token);
        @Nullable Instant expiresAt = jwt.getExpiresAt();
        if (expiresAt != null && expiresAt.isAfter(clock.get())) {
            verified.put(token, jwt);
        }
        return jwt;
    }

    /** Hits, misses and size as {@code cache.*} meters tagged {@code cache=orderly.verified-tokens}. */
    VerifiedTokens measuredBy(MeterRegistry meters) {
        CaffeineCacheMetrics.monitor(meters, verified, "orderly.verified-tokens");
        return this;
    }

    /**
     * Whether a kept token's {@code exp} is still ahead by the wall clock. The entry's own end is measured on the
     * monotonic ticker, which does not move while the machine is suspended and ignores a clock stepped forward.
     */
    private boolean stillValid(Jwt known) {
        @Nullable Instant expiresAt = known.getExpiresAt();
        return expiresAt != null && expiresAt.isAfter(clock.get());
    }

    /** From now until the token's {@code exp} (only tokens that expire later are kept). */
    private Duration lifetime(Jwt jwt) {
        @Nullable Instant expiresAt = jwt.getExpiresAt();
        Duration left = expiresAt == null ? Duration.ZERO : Duration.between(clock.get(), expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
