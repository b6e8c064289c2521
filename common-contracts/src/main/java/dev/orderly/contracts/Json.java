package dev.orderly.contracts;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Jackson 3 mapping of Orderly's wire format, for services that read or write parts of it themselves.
 *
 * <p>Invariant: there is one mapping: snake_case properties, {@code java.time} values as ISO-8601 text
 * (instants in UTC with {@code Z}, dates as {@code yyyy-MM-dd}), unknown properties ignored because the
 * schemas let producers add fields without a new version, trailing content and duplicate members refused. {@link EventCodec} uses exactly this mapper.
 */
public final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DateTimeFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // A member given twice is ambiguous: which total did the producer mean? Refuse rather than guess.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {}

    /**
     * The shared wire mapper. A Jackson 3 {@code JsonMapper} is immutable and thread-safe: reuse it, or derive a
     * variant with {@code mapper().rebuild()} rather than building one from scratch.
     */
    public static JsonMapper mapper() {
        return MAPPER;
    }
}
