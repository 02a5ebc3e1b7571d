package pyalloc.trace;

/**
 * A run of parsed events in primitive arrays: the unit a reader hands to the replay, so that no object is
 * created per event. Reused: the reader refills a batch the replay has finished with.
 */
public final class EventBatch {
    /**
     * Pointer value meaning "empty" inside a reader (no pointer field, or a realloc that kept its pointer), and
     * the pointer of an event that has none (a mark). An event that has a pointer may have this value too
     * (0x8000000000000000): the replay never asks whether a pointer is this one.
     */
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
     * What the trace wrote for the pointers of the events whose pointer ids are not their values (symbolic
     * tokens; see {@link PointerIds}), for messages; null until a reader first needs it, and read only for an
     * event whose line it names (a slot may hold an earlier batch's entry).
     */
    public Written[] written;
    /**
     * Call sites ({@link SiteTable}) of alloc, calloc and realloc events, {@link SiteTable#NONE} for none; filled
     * only by readers of traces that have sites ({@link TraceReader#sites()}), stale otherwise.
     */
    public final int[] site;
    /**
     * Slot numbers of the pointers of MEM and OBJ events (the {@code ptr} of an alloc, calloc, free or realloc, and
     * {@code newPtr}'s of a realloc), when a replay under another configuration than the recording's has given them
     * (pyalloc.replay.PointerSlots; {@code compare}, once for all its models); null otherwise. A pointer keeps its slot from the alloc that binds it to the free
     * that releases it; -1: a free or realloc of a pointer not bound.
     */
    public int[] slot;
    public int[] newSlot;
    public int count;

    /** The pointers of one event as the trace wrote them: {@code ptrText} for id {@code ptr}, and so on. */
    public record Written(long line, long ptr, String ptrText, long newPtr, String newPtrText) {
    }

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

    /** Records, for messages, what the trace wrote for the pointers of event {@code i} (its line already set). */
    public void written(int i, long ptr, String ptrText, long newPtr, String newPtrText) {
        if (written == null) {
            written = new Written[capacity()];
        }
        written[i] = new Written(line(i), ptr, ptrText, newPtr, newPtrText);
    }

    /**
     * Returns pointer id {@code id} of event {@code i} as the trace wrote it: a symbolic token as written, any
     * other pointer in hex ({@code 0x7f3a6c012f40}; every 64-bit value is a pointer).
     */
    public String pointerText(int i, long id) {
        Written w = written == null ? null : written[i];
        if (w != null && w.line() == line(i)) {
            if (w.ptrText() != null && w.ptr() == id) {
                return w.ptrText();
            }
            if (w.newPtrText() != null && w.newPtr() == id) {
                return w.newPtrText();
            }
        }
        return "0x" + Long.toHexString(id);
    }

    /** Returns the line of event {@code i} in the trace. */
    public long line(int i) {
        return lineBase + line[i];
    }

    public int capacity() {
        return op.length;
    }
}
