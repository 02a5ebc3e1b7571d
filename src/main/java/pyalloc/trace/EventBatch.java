package pyalloc.trace;

/**
 * A run of parsed events in primitive arrays: the unit a reader hands to the replay, so that no object is
 * created per event. Reused: the reader refills a batch the replay has finished with.
 */
public final class EventBatch {
    /** Pointer value meaning "empty" (a NULL pointer, or a realloc that kept its pointer). */
    public static final long NO_PTR = Long.MIN_VALUE;
    /** Time value meaning "the trace has no ns column". */
    public static final long NO_NS = -1;

    public final byte[] op;
    public final byte[] domain;
    public final long[] ptr;
    public final long[] newPtr;
    public final long[] size;
    public final long[] ns;
    /** Each event's line in the trace, less {@link #lineBase}: see {@link #line(int)}. */
    public final long[] line;
    /**
     * What {@link #line} counts from: 0, or where the chunk began for a batch parsed apart from the rows
     * before it (so that placing it in the trace costs one store, not one per row).
     */
    public long lineBase;
    /** Labels of mark rows; null elsewhere. */
    public final String[] label;
    /**
     * Call sites ({@link SiteTable}) of alloc, calloc and realloc events, {@link SiteTable#NONE} for none; filled
     * only by readers of traces that have sites ({@link TraceReader#sites()}), stale otherwise.
     */
    public final int[] site;
    public int count;

    public EventBatch(int capacity) {
        op = new byte[capacity];
        domain = new byte[capacity];
        ptr = new long[capacity];
        newPtr = new long[capacity];
        size = new long[capacity];
        ns = new long[capacity];
        line = new long[capacity];
        label = new String[capacity];
        site = new int[capacity];
    }

    /** Returns the line of event {@code i} in the trace. */
    public long line(int i) {
        return lineBase + line[i];
    }

    public int capacity() {
        return op.length;
    }
}
