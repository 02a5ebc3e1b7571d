package pyalloc.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import pyalloc.stats.Timeline.Field;

/**
 * Timeline's contract (README, {@code --samples N}): of a run of any length, between N and 2N samples are kept,
 * evenly spaced by event index, and the final state is always the last row. Driven the way Replay drives it: the
 * state before the first event, then every event {@link Timeline#due} names, then {@link Timeline#addFinal}.
 * jqwik prints the seed of a failing try; rerun it with {@code @Property(seed = "...")}.
 */
final class TimelineTest {

    /** Returns a sample row for {@code event} whose every field is a different function of the event. */
    private static long[] row(long event) {
        long[] values = new long[Field.values().length];
        values[Field.EVENT.ordinal()] = event;
        for (int f = 1; f < values.length; f++) {
            values[f] = event * 100 + f;
        }
        return values;
    }

    private static Timeline replay(int target, long events) {
        Timeline t = new Timeline(target);
        t.add(row(0));
        for (long e = 1; e <= events; e++) {
            if (t.due(e)) {
                t.add(row(e));
            }
        }
        t.addFinal(row(events));
        return t;
    }

    private static List<Long> events(Timeline t) {
        List<Long> out = new ArrayList<>();
        for (int r = 0; r < t.size(); r++) {
            out.add(t.get(r, Field.EVENT));
        }
        return out;
    }

    @Test
    void aShortRunKeepsEveryEvent() {
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), events(replay(3, 5)), "6 states fit in 2N = 6 rows");
        assertEquals(List.of(0L), events(replay(3, 0)), "an empty trace: the start, which is also the end");
    }

    @Test
    void aFullBufferKeepsEveryOtherSampleAndDoublesTheStride() {
        // N = 3: rows for 0..5 fill the buffer; event 6 halves it to 0, 2, 4 and goes on every 2 events.
        assertEquals(List.of(0L, 2L, 4L, 6L), events(replay(3, 6)));
        assertEquals(List.of(0L, 2L, 4L, 6L, 8L, 10L, 11L), events(replay(3, 11)), "then the final state");
        assertEquals(List.of(0L, 4L, 8L, 12L, 13L), events(replay(3, 13)), "at 12 the stride doubles again");
    }

    @Property(tries = 300)
    void betweenNAnd2NEvenlySpacedSamplesThenTheEnd(@ForAll @IntRange(min = 2, max = 64) int target,
            @ForAll @LongRange(min = 0, max = 300_000) long events) {
        List<Long> at = events(replay(target, events));
        assertEquals(events, at.get(at.size() - 1), "the final state is the last row");
        List<Long> sampled = at.get(at.size() - 1) % stride(at) == 0 ? at : at.subList(0, at.size() - 1);
        assertTrue(sampled.size() >= Math.min(events + 1, target) && sampled.size() <= 2 * target,
                sampled.size() + " samples for N = " + target + " over " + events + " events");
        long stride = stride(at);
        assertEquals(0, Long.bitCount(stride) - 1, "the stride is a power of two: " + stride);
        for (int i = 0; i < sampled.size(); i++) {
            assertEquals(i * stride, sampled.get(i), "evenly spaced from the start");
        }
        assertTrue(events - sampled.get(sampled.size() - 1) < stride, "the samples reach the last stride");
        // The smallest such stride: with half of it, the run would need more than 2N rows.
        assertTrue(stride == 1 || events / (stride / 2) + 1 > 2L * target, "stride " + stride + " is not the smallest");
    }

    /** Returns the spacing of the first two rows (1 when there is one row). */
    private static long stride(List<Long> at) {
        return at.size() < 2 ? 1 : at.get(1) - at.get(0);
    }

    @Test
    void everyKeptRowKeepsAllItsValues() {
        Timeline t = replay(4, 1000);
        for (int r = 0; r < t.size(); r++) {
            long event = t.get(r, Field.EVENT);
            for (Field f : Field.values()) {
                assertEquals(row(event)[f.ordinal()], t.get(r, f), f + " of the row for event " + event);
            }
        }
    }

    @Test
    void theFinalStateIsAddedEvenToAFullBuffer() {
        Timeline t = replay(2, 3);  // 0, 1, 2, 3: four rows, the buffer's 2N
        assertEquals(List.of(0L, 1L, 2L, 3L), events(t), "3 was sampled: not added twice");
        t.addFinal(row(4));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), events(t), "2N + 1 rows: the end is never dropped");
        assertEquals(row(4)[Field.PEAK_ARENA_BYTES.ordinal()], t.get(4, Field.PEAK_ARENA_BYTES));
    }
}
