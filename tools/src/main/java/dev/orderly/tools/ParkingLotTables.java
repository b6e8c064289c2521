package dev.orderly.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The parking-lot endpoint's answers as people read them: aligned tables for {@code list} and {@code audit}, one field
 * a line for {@code show} ({@code ./orderly parking-lot ... --json} prints the answers as they are, for scripts).
 *
 * <p>Invariant: every value shown comes from the answer, a missing one as {@code -}; a cell is one line (line breaks
 * in a value, e.g. an exception's, are shown as spaces) and a long one is cut with an ellipsis, so a row is always
 * one line of the table. A field the answer lacks is never guessed.
 */
final class ParkingLotTables {

    private static final int CELL_LIMIT = 60;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ParkingLotTables() {}

    /** A page of parked messages: one row each, oldest first, and where the page is in the whole. */
    static String list(JsonNode page) {
        JsonNode messages = page.path("messages");
        if (messages.isEmpty()) {
            return "No parked messages" + (page.path("total").asLong() > 0 ? " on this page" : "") + " (total "
                    + page.path("total").asLong() + ").";
        }
        String rows = table(messages, new String[][] {
            {"ID", "id"},
            {"PARKED AT", "parkedAt"},
            {"REASON", "reason"},
            {"EVENT TYPE", "eventType"},
            {"ATTEMPTS", "attempts"},
            {"MESSAGE ID", "messageId"},
            {"EXCEPTION", "exception"}
        });
        long total = page.path("total").asLong();
        int number = page.path("page").asInt();
        int size = Math.max(1, page.path("size").asInt(messages.size()));
        long pages = Math.max(1, (total + size - 1) / size);
        return rows + "\npage " + (number + 1) + " of " + pages + ", " + total + " parked in all"
                + (number + 1 < pages ? " (next: --page " + (number + 1) + ")" : "");
    }

    /** One parked message: what it is, why it was parked, its headers and its body. */
    static String show(JsonNode detail) {
        JsonNode summary = detail.path("summary");
        List<List<String>> rows = new ArrayList<>();
        for (String[] field : new String[][] {
            {"id", "id"},
            {"message id", "messageId"},
            {"event type", "eventType"},
            {"reason", "reason"},
            {"attempts", "attempts"},
            {"original routing key", "originalRoutingKey"},
            {"parked at", "parkedAt"},
            {"exception", "exception"}
        }) {
            rows.add(List.of(field[0], whole(summary, field[1])));
        }
        StringBuilder out = new StringBuilder(table(rows));
        out.append("\nheaders:\n");
        Map<String, String> headers = new TreeMap<>();
        detail.path("headers").properties().forEach(entry -> headers.put(entry.getKey(), value(entry.getValue())));
        if (headers.isEmpty()) {
            out.append("  (none)\n");
        }
        List<List<String>> headerRows = new ArrayList<>();
        headers.forEach((name, value) -> headerRows.add(List.of("  " + name, value)));
        if (!headerRows.isEmpty()) {
            out.append(table(headerRows)).append('\n');
        }
        String encoding = detail.path("bodyEncoding").asString("");
        out.append("body (").append(encoding.isEmpty() ? "?" : encoding).append("):\n");
        out.append(body(detail.path("body").asString(""), encoding));
        return out.toString();
    }

    /** The audit trail, newest first: who replayed or purged what, and how it ended. */
    static String audit(JsonNode answer) {
        JsonNode entries = answer.path("audit");
        if (entries.isEmpty()) {
            return "No replays or purges recorded yet.";
        }
        return table(entries, new String[][] {
            {"AT", "at"},
            {"ACTOR", "actor"},
            {"ACTION", "action"},
            {"SELECTION", "selection"},
            {"AFFECTED", "affected"},
            {"OUTCOME", "outcome"},
            {"DETAIL", "detail"}
        });
    }

    /** One row per item under a header: {@code columns} are (header, field) pairs. */
    private static String table(JsonNode items, String[][] columns) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        for (String[] column : columns) {
            header.add(column[0]);
        }
        rows.add(header);
        for (JsonNode item : items) {
            List<String> row = new ArrayList<>();
            for (String[] column : columns) {
                row.add(text(item, column[1]));
            }
            rows.add(row);
        }
        return table(rows);
    }

    /** A JSON body pretty-printed (it is the event as the producer wrote it), any other text as it is. */
    private static String body(String body, String encoding) {
        if ("utf-8".equalsIgnoreCase(encoding)) {
            try {
                return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(body));
            } catch (RuntimeException notJson) {
                return body;
            }
        }
        return body;
    }

    private static String text(JsonNode node, String field) {
        return cell(whole(node, field));
    }

    private static String whole(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : value(value);
    }

    private static String value(JsonNode value) {
        return value.isValueNode() ? value.asString() : value.toString();
    }

    private static String cell(String value) {
        String line = value.replaceAll("\\s+", " ").strip();
        return line.length() <= CELL_LIMIT ? line : line.substring(0, CELL_LIMIT - 1) + "…";
    }

    /** Rows (the first a header, if any), each column as wide as its widest cell, two spaces apart. */
    private static String table(List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i + 1 < row.size() ? pad(row.get(i), widths[i]) + "  " : row.get(i));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    private static String pad(String value, int width) {
        return value + " ".repeat(width - value.length());
    }
}
