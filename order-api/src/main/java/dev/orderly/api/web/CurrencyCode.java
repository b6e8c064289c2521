package dev.orderly.api.web;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Currency;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The annotated string is an ISO 4217 alphabetic currency code known to the JDK, in upper case ("EUR", "JPY"): an
 * order's currency, and the currency a SKU is priced in.
 */
@Documented
@Constraint(validatedBy = CurrencyCode.Validator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface CurrencyCode {

    String message() default "must be an ISO 4217 currency code, such as EUR or USD";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks against the JDK's ISO 4217 table; {@code null} is left to {@code @NotNull}. */
    final class Validator implements ConstraintValidator<CurrencyCode, String> {

        private static final Set<String> CODES = Currency.getAvailableCurrencies().stream()
                .map(Currency::getCurrencyCode)
                .collect(Collectors.toUnmodifiableSet());

        @Override
        public boolean isValid(@Nullable String value, ConstraintValidatorContext context) {
            return value == null || CODES.contains(value);
        }
    }
}
