package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromqlTests {

    @Test
    void splitsAnAlertIntoTheVectorsAndThresholdsItCompares() {
        assertThat(Promql.operands("""
                        orderly:late:ratio_rate1h > (14.4 * 0.05)
                        and
                        orderly:late:ratio_rate5m > (14.4 * 0.05)"""))
                .containsExactly(
                        "orderly:late:ratio_rate1h", "(14.4 * 0.05)", "orderly:late:ratio_rate5m", "(14.4 * 0.05)");
    }

    @Test
    void keepsArithmeticMatchersAndNestedComparisonsInsideTheirOperand() {
        assertThat(
                        Promql.operands(
                                "sum by (c) (rate(a_total{q=~\".+\\\\.work\", x!=\"a>b\"}[10m])) / sum by (c) (rate(b[10m])) > 0.05"))
                .containsExactly(
                        "sum by (c) (rate(a_total{q=~\".+\\\\.work\", x!=\"a>b\"}[10m])) / sum by (c) (rate(b[10m]))",
                        "0.05");
        assertThat(Promql.operands("max by (queue) (up{job=\"x\"} == 0) == 1 unless on_call"))
                .containsExactly("max by (queue) (up{job=\"x\"} == 0)", "1", "on_call");
    }

    @Test
    void anExpressionWithoutOperatorsIsItsOwnOperand() {
        assertThat(Promql.operands("sum(rate(orderly_orders_accepted_total[1m]))"))
                .containsExactly("sum(rate(orderly_orders_accepted_total[1m]))");
    }
}
