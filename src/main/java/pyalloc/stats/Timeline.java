package pyalloc.stats;

import java.util.Arrays;

/**
 * The sampled history of a run: at most {@code 2 × target} evenly spaced samples, whatever the trace length.
 *
 * <p>The trace length is unknown while streaming, so sampling starts at every event and, each time the
 * buffer fills, keeps every other sample and doubles the stride: samples stay evenly spaced by event index
 * and memory stays fixed.
 */
public final class Timeline {
    /** The per-sample values, in column order. */
    public enum Field {
        EVENT, NS, REQUESTED, ALLOCATED, AVAILABLE, UNUSED_POOLS, OVERHEAD, POOL_BYTES, ARENA_BYTES, TOUCHED, USED_POOLS,
        ARENAS, IDEAL_ARENAS, PINNED_ARENAS, PEAK_REQUESTED, PEAK_ARENA_BYTES, RAW_BYTES, RAW_DOMAIN_BYTES,
        ALLOCATED_TOTAL
    }

    private static final int COLUMNS = Field.values().length;
    /** The largest {@code target}: 2 × target rows must fit one Java array. */
    public static final int MAX_TARGET = 50_000_000;
    private final int capacity;
    private long[] rows;
    private int count;
    private long stride = 1;
    private long nextSampleAt;

    /** Keeps between {@code target} and {@code 2 × target} samples (2 to {@link #MAX_TARGET}). */
    public Timeline(int target) {
        if (target < 2 || target > MAX_TARGET) {
            throw new IllegalArgumentException("timeline samples must be from 2 to " + MAX_TARGET + ", not " + target);
        }
        this.capacity = 2 * target;
        // Grown as samples come: a large target costs memory only when the trace is as long.
        this.rows = new long[Math.min(capacity, 1024) * COLUMNS];
    }

    /** Returns true when the state after event {@code event} (1-based; 0 = before the first) is a sample. */
    public boolean due(long event) {
        return event == nextSampleAt;
    }

    /** Adds a sample; {@code values} are in {@link Field} order. */
    public void add(long... values) {
        if (count == capacity) {
            for (int i = 0; i < capacity / 2; i++) {
                System.arraycopy(rows, 2 * i * COLUMNS, rows, i * COLUMNS, COLUMNS);
            }
            count = capacity / 2;
            stride *= 2;
            nextSampleAt = rows[(count - 1) * COLUMNS] + stride;
            if (values[0] < nextSampleAt) {
                return;  // this sample fell between the survivors' new stride
            }
        }
        if ((count + 1) * COLUMNS > rows.length) {
            rows = Arrays.copyOf(rows, Math.min(capacity, 2 * count) * COLUMNS);
        }
        System.arraycopy(values, 0, rows, count * COLUMNS, COLUMNS);
        count++;
        nextSampleAt = values[0] + stride;
    }

    /** Adds the final state unless the last sample already is it. */
    public void addFinal(long... values) {
        if (count > 0 && rows[(count - 1) * COLUMNS] == values[0]) {
            return;
        }
        if ((count + 1) * COLUMNS > rows.length) {
            rows = Arrays.copyOf(rows, rows.length + COLUMNS);
        }
        System.arraycopy(values, 0, rows, count * COLUMNS, COLUMNS);
        count++;
    }

    public int size() {
        return count;
    }

    public long get(int row, Field c) {
        return rows[row * COLUMNS + c.ordinal()];
    }
}
