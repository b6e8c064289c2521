package dev.orderly.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The alerting and recording rules are valid, and each alert fires (and stays quiet) as its unit tests say. */
class PrometheusRulesTests {

    private static final Path RULES = Tool.ROOT.resolve("helm/orderly/files/prometheus");

    /** Where every alert's runbook is, one heading per alert; the {@code runbook} annotations point into it. */
    private static final String RUNBOOKS = "docs/runbooks.md";

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

    @Test
    void everyAlertHasItsOwnTestAndARunbookHeadingInTheRunbooks() throws IOException {
        Set<String> anchors = Files.readAllLines(Tool.ROOT.resolve(RUNBOOKS)).stream()
                .filter(line -> line.startsWith("#"))
                .map(PrometheusRulesTests::anchor)
                .collect(Collectors.toSet());
        String tests = Files.readString(RULES.resolve("orderly-rules.test.yml"));
        List<Map<String, Object>> alerts = alerts();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(11);
        for (Map<String, Object> alert : alerts) {
            String name = (String) alert.get("alert");
            @SuppressWarnings("unchecked")
            Map<String, String> annotations = (Map<String, String>) alert.get("annotations");
            String runbook = annotations.get("runbook");
            assertThat(runbook).as("runbook of %s", name).startsWith(RUNBOOKS + "#");
            assertThat(anchors)
                    .as("%s heading for %s's runbook %s", RUNBOOKS, name, runbook)
                    .contains(runbook.substring((RUNBOOKS + "#").length()));
            assertThat(tests).as("a unit test that fires %s", name).contains("alertname: " + name + "\n");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alerts() throws IOException {
        Map<String, Object> file = new Yaml().load(Files.readString(RULES.resolve("orderly-rules.yml")));
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                if (rule.containsKey("alert")) {
                    alerts.add(rule);
                }
            }
        }
        return alerts;
    }

    /** The anchor GitHub gives a heading: lower case, punctuation other than '-' dropped, spaces as '-'. */
    private static String anchor(String heading) {
        return heading.replaceFirst("^#+\\s*", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9 _-]", "")
                .replace(' ', '-');
    }
}
