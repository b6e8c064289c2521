package dev.orderly.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboards are well-formed and every panel's query is valid PromQL (checked by promtool as a recording
 * rule). Whether each query returns series from a running pipeline is checked against a live Prometheus by the
 * system tests.
 */
class DashboardsTests {

    static final Path DASHBOARDS = Tool.ROOT.resolve("helm/orderly/files/dashboards");

    @Test
    void dashboardsHaveUniqueIdsAndQueriesOnEveryPanel() throws IOException {
        List<Path> files = dashboards();
        assertThat(files)
                .extracting(path -> path.getFileName().toString())
                .contains("pipeline-overview.json", "service.json", "broker.json");
        Set<String> uids = new HashSet<>();
        for (Path file : files) {
            Map<String, Object> dashboard = load(file);
            assertThat(uids.add((String) dashboard.get("uid")))
                    .as("unique uid in %s", file)
                    .isTrue();
            List<Map<String, Object>> panels = list(dashboard, "panels");
            assertThat(panels).as(file.toString()).isNotEmpty();
            for (Map<String, Object> panel : panels) {
                assertThat(list(panel, "targets"))
                        .as("%s: %s", file, panel.get("title"))
                        .isNotEmpty();
            }
        }
    }

    @Test
    void everyPanelQueryIsValidPromql(@TempDir Path scratch) throws IOException {
        List<String> rules = new ArrayList<>();
        for (String expression : PanelQueries.all()) {
            rules.add("      - record: orderly:dashboard_check:" + rules.size() + "\n        expr: "
                    + quoted(expression));
        }
        assertThat(rules).hasSizeGreaterThan(40);
        Path file = scratch.resolve("dashboard-queries.yml");
        Files.writeString(file, "groups:\n  - name: dashboard-queries\n    rules:\n" + String.join("\n", rules) + "\n");

        Tool.Result result = Tool.run(scratch, "prometheus", 60, "promtool", "check", "rules", file.toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    /** Every panel query of every dashboard, with template variables replaced by a plausible value. */
    static final class PanelQueries {

        private PanelQueries() {}

        static List<String> all() throws IOException {
            List<String> expressions = new ArrayList<>();
            for (Path file : dashboards()) {
                for (Map<String, Object> panel : list(load(file), "panels")) {
                    for (Map<String, Object> target : list(panel, "targets")) {
                        expressions.add(((String) target.get("expr")).replace("$job", "order-api"));
                    }
                }
            }
            return expressions;
        }
    }

    static List<Path> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            return files.filter(path -> path.toString().endsWith(".json"))
                    .sorted()
                    .toList();
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> load(Path file) throws IOException {
        // JSON is YAML: SnakeYAML reads it without another dependency.
        return (Map<String, Object>) new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("%s in %s", key, parent.get("title")).isInstanceOf(List.class);
        return (List<Map<String, Object>>) value;
    }

    private static String quoted(String expression) {
        return "'" + expression.replace("'", "''") + "'";
    }
}
