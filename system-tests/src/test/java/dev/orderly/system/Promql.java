package dev.orderly.system;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a PromQL expression at its top-level comparison and set operators ({@code == != > < >= <=}, {@code and},
 * {@code or}, {@code unless}) into the operands an alert compares, so each can be checked for series on its own.
 *
 * <p>Hand-written because no Java PromQL parser is maintained; it needs only to know what is nested (parentheses,
 * braces, brackets, quoted strings) and what is an operator at the top level, which is all the rules use. Arithmetic
 * stays inside an operand: a ratio is evaluated whole, so mismatched labels on its sides show up as no series.
 */
final class Promql {

    private static final List<String> WORD_OPERATORS = List.of("and", "or", "unless");

    private Promql() {}

    static List<String> operands(String expression) {
        List<String> operands = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        int i = 0;
        while (i < expression.length()) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i += 2;
                    continue;
                }
                if (c == quote) {
                    quote = 0;
                }
                i++;
                continue;
            }
            switch (c) {
                case '"', '\'', '`' -> quote = c;
                case '(', '{', '[' -> depth++;
                case ')', '}', ']' -> depth--;
                default -> {}
            }
            int operator = depth == 0 && quote == 0 ? operatorLength(expression, i) : 0;
            if (operator > 0) {
                operands.add(expression.substring(start, i).trim());
                i += operator;
                start = i;
                continue;
            }
            i++;
        }
        operands.add(expression.substring(start).trim());
        return operands.stream().filter(operand -> !operand.isEmpty()).toList();
    }

    /** The length of the comparison or set operator starting at {@code i}, or 0. */
    private static int operatorLength(String text, int i) {
        for (String op : List.of("==", "!=", ">=", "<=")) {
            if (text.startsWith(op, i)) {
                return op.length();
            }
        }
        char c = text.charAt(i);
        if (c == '>' || c == '<') {
            return 1;
        }
        boolean wordStart = i == 0 || !isWordChar(text.charAt(i - 1));
        if (wordStart) {
            for (String word : WORD_OPERATORS) {
                int end = i + word.length();
                if (text.regionMatches(true, i, word, 0, word.length())
                        && (end == text.length() || !isWordChar(text.charAt(end)))) {
                    return word.length();
                }
            }
        }
        return 0;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }
}
