package dev.orderly.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The alerting and recording rules are valid, and each alert fires (and stays quiet) as its unit tests say. */
class PrometheusRulesTests {

    private static final Path RULES = Tool.ROOT.resolve("helm/orderly/files/prometheus");

    @Test
    void rulesAreValid() {
        Tool.Result result = Tool.run(RULES, "prometheus", 60, "promtool", "check", "rules", "orderly-rules.yml");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertBehavesAsItsUnitTestsSay() {
        Tool.Result result = Tool.run(RULES, "prometheus", 120, "promtool", "test", "rules", "orderly-rules.test.yml");

        assertThat(result.exitCode()).as(result.output()).isZero();
    }
}
