package dev.orderly.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.orderly.testsupport.TestKeys;
import dev.orderly.testsupport.TestTokens;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * {@link VerifiedTokens} in front of a real Nimbus decoder checking real RS256 tokens against the tests' trusted key
 * (what Spring Boot builds from {@code public-key-location}), with a hand-moved ticker for the cache's time.
 */
class VerifiedTokensTests {

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final AtomicInteger checks = new AtomicInteger();
    private final JwtDecoder nimbus = NimbusJwtDecoder.withPublicKey(
                    (RSAPublicKey) TestKeys.trusted().getPublic())
            .build();
    private final JwtDecoder counted = token -> {
        checks.incrementAndGet();
        return nimbus.decode(token);
    };
    private final VerifiedTokens tokens = new VerifiedTokens(counted, 100, ticker, Instant::now);

    @Test
    void aTokenIsCheckedOnceAndKnownAgainOnLaterRequests() {
        String token = TestTokens.forClient("shop", "orders:write");

        Jwt first = tokens.decode(token);
        Jwt again = tokens.decode(token);

        assertThat(checks).hasValue(1);
        assertThat(again.getSubject()).isEqualTo("shop");
        assertThat(again.getClaimAsStringList("scope")).containsExactly("orders:write");
        assertThat(again).isSameAs(first);
    }

    @Test
    void aKnownTokenIsCheckedAgainOnceItsExpiryHasPassed() {
        String token = TestTokens.token("shop")
                .scopes("orders:write")
                .expiresIn(Duration.ofMinutes(2))
                .mint();
        tokens.decode(token);
        nanos.addAndGet(Duration.ofSeconds(60).toNanos());
        tokens.decode(token);
        assertThat(checks).as("still before its exp").hasValue(1);

        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        tokens.decode(token);

        assertThat(checks).as("past its exp: back to the decoder").hasValue(2);
    }

    @Test
    void aKnownTokenWhoseExpiryThePassedWallClockReachedIsCheckedAgainThoughTheTickerStood() {
        // A machine suspended for a while, or a clock stepped forward: the monotonic ticker has not moved.
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        VerifiedTokens tokens = new VerifiedTokens(counted, 100, ticker, now::get);
        String token = TestTokens.token("shop").expiresIn(Duration.ofMinutes(2)).mint();
        tokens.decode(token);

        now.set(now.get().plus(Duration.ofMinutes(5)));
        tokens.decode(token);

        assertThat(checks)
                .as("back to the decoder, which checks the time itself")
                .hasValue(2);
    }

    @Test
    void aTokenWithoutAnExpiryIsNeverKept() {
        String endless = TestTokens.token("shop").withoutExpiry().mint();

        tokens.decode(endless);
        tokens.decode(endless);

        assertThat(checks).hasValue(2);
    }

    @Test
    void aRefusedTokenIsNeverKeptAndIsRefusedEveryTime() {
        String forged = TestTokens.token("shop")
                .scopes("orders:write")
                .signedByAnotherKey()
                .mint();

        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatExceptionOfType(JwtException.class).isThrownBy(() -> tokens.decode(forged));
        }

        assertThat(checks).hasValue(2);
    }

    @Test
    void aTokenJustPastItsExpiryButWithinTheClockSkewIsNotKept() {
        // The decoder allows 60 s of clock skew, so it accepts this one; the cache must not hold it even for a moment.
        String late = TestTokens.token("shop").expired(Duration.ofSeconds(10)).mint();

        tokens.decode(late);
        tokens.decode(late);

        assertThat(checks).hasValue(2);
    }

    @Test
    void aTokenLongPastItsExpiryIsRefused() {
        String expired = TestTokens.token("shop").expired(Duration.ofMinutes(5)).mint();

        assertThatExceptionOfType(JwtException.class).isThrownBy(() -> tokens.decode(expired));
        assertThatExceptionOfType(JwtException.class).isThrownBy(() -> tokens.decode(expired));
        assertThat(checks).hasValue(2);
    }

    private final ApplicationContextRunner services = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(VerifiedTokensAutoConfiguration.class))
            .withBean(JwtDecoder.class, () -> nimbus);

    @Test
    void everyServiceDecoderIsWrappedUnlessMaxTokensIsZeroAndANegativeOneStopsTheStart() {
        services.run(context -> assertThat(context.getBean(JwtDecoder.class)).isInstanceOf(VerifiedTokens.class));
        services.withPropertyValues("orderly.security.verified-tokens.max-tokens=0")
                .run(context -> assertThat(context.getBean(JwtDecoder.class)).isSameAs(nimbus));
        services.withPropertyValues("orderly.security.verified-tokens.max-tokens=-1")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("orderly.security.verified-tokens.max-tokens must be 0 (off) or more"));
    }
}
