package dev.orderly.relay.publishing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.relay.outbox.OutboxRow;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SkippedIdsTests {

    static final long SECOND = Duration.ofSeconds(1).toNanos();

    final SkippedIds skipped = new SkippedIds(Duration.ofSeconds(2));

    @Test
    void theGapsBetweenRowsReadAreLookedForUntilTheyAreRead() {
        skipped.read(rows(10, 11, 14), 0);
        assertThat(skipped.lookFor(0)).containsExactly(12, 13);

        skipped.read(rows(13, 15), 0);
        assertThat(skipped.lookFor(0)).containsExactly(12);
    }

    @Test
    void aGapIsLookedForUntilTheTimeoutThenGivenUp() {
        skipped.read(rows(1, 3), 0);
        skipped.read(rows(5), SECOND);

        assertThat(skipped.lookFor(SECOND)).containsExactly(2, 4);
        assertThat(skipped.lookFor(2 * SECOND)).containsExactly(4);
        assertThat(skipped.lookFor(3 * SECOND)).isEmpty();
    }

    @Test
    void theGapToTheHighestRowOfAnEarlierReadCountsAndLowerRowsReadAgainLeaveNone() {
        skipped.read(rows(1, 2), 0);
        skipped.read(rows(4), 0);
        assertThat(skipped.lookFor(0)).containsExactly(3);

        // A run after a failure reads from the oldest unpublished row again.
        skipped.read(rows(1, 2, 4), 0);
        assertThat(skipped.lookFor(0)).containsExactly(3);
    }

    @Test
    void aJumpWiderThanTheLargestGapIsNoRowNotYetCommitted() {
        long jump = 1 + SkippedIds.MAX_GAP + 2; // MAX_GAP + 1 ids between it and row 1
        skipped.read(rows(1, jump), 0);
        assertThat(skipped.lookFor(0)).isEmpty();

        skipped.read(rows(jump + SkippedIds.MAX_GAP + 1), 0); // MAX_GAP ids between
        assertThat(skipped.lookFor(0)).hasSize(SkippedIds.MAX_GAP).startsWith(jump + 1);
    }

    @Test
    void atMostMaxOpenIdsAreLookedFor() {
        long id = 1;
        for (int i = 0; i < SkippedIds.MAX_OPEN; i++) {
            id += 3;
            skipped.read(rows(id), 0);
        }
        assertThat(skipped.lookFor(0)).hasSize(SkippedIds.MAX_OPEN);
    }

    @Test
    void withoutATimeoutNothingIsLookedFor() {
        SkippedIds none = new SkippedIds(Duration.ZERO);
        none.read(rows(1, 5), 0);

        assertThat(none.lookFor(0)).isEmpty();
    }

    static List<OutboxRow> rows(long... ids) {
        return Arrays.stream(ids)
                .mapToObj(id -> new OutboxRow(id, UUID.randomUUID(), "test", "test", "a", "{}", "{}", Instant.EPOCH, 0))
                .toList();
    }
}
