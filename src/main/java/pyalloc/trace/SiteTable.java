package pyalloc.trace;

import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.List;

/**
 * A trace's call sites (docs/trace-format.md, "Call sites"): the frames (code locations) and the sites (a frame
 * and the site of its caller) that events name by id. Whatever the format, its reader fills the table as it reads
 * the definitions, which come before their first use, so that at any event the sites named so far are known.
 *
 * <p>The reader may run ahead of the replay on another thread; the replay reads the table only at snapshots, so
 * every method is synchronized and nothing here is on the per-event path.
 */
public final class SiteTable {
    /** The site id events carry when they have none (no Python frame was running). */
    public static final int NONE = 0;

    /**
     * A code location.
     *
     * @param file     the code object's file name, as the interpreter had it
     * @param line     the line, 0 when unknown
     * @param function the function's name ({@code <module>} for a module's top level)
     */
    public record Frame(String file, int line, String function) {
    }

    private final Int2ObjectOpenHashMap<Frame> frames = new Int2ObjectOpenHashMap<>();
    /** Per site: its frame id in the high half, its caller's site id (or NONE) in the low half. */
    private final Int2LongOpenHashMap sites = new Int2LongOpenHashMap();

    public SiteTable() {
        sites.defaultReturnValue(-1);
    }

    /** Defines frame {@code id}; returns false when it was defined before (the reader reports the line). */
    public synchronized boolean defineFrame(int id, Frame frame) {
        return frames.putIfAbsent(id, frame) == null;
    }

    /**
     * Defines site {@code id}: frame {@code frame} called from site {@code caller} ({@link #NONE}: the outermost
     * frame recorded); returns false when it was defined before.
     */
    public synchronized boolean defineSite(int id, int frame, int caller) {
        if (sites.containsKey(id)) {
            return false;
        }
        sites.put(id, (long) frame << 32 | (caller & 0xffff_ffffL));
        return true;
    }

    /** Returns frame {@code id}, or null when the trace has not defined it (so far). */
    public synchronized Frame frame(int id) {
        return frames.get(id);
    }

    /**
     * Returns site {@code id}'s frame id in the high half and its caller's site id ({@link #NONE}: none) in the low
     * half, or -1 when the trace has not defined it (so far): what a writer needs to define it in another format.
     */
    public synchronized long site(int id) {
        return sites.get(id);
    }

    /** Returns the frames defined so far. */
    public synchronized int frames() {
        return frames.size();
    }

    /** Returns the sites defined so far. */
    public synchronized int sites() {
        return sites.size();
    }

    /**
     * Returns the stack of site {@code id}, innermost frame first; empty for {@link #NONE} and for an id the trace
     * has not defined. A frame the trace has not defined stands as {@code ?} at line 0.
     */
    public synchronized List<Frame> stack(int id) {
        List<Frame> stack = new ArrayList<>();
        for (int s = id; s != NONE && stack.size() < 1000; ) {  // a cycle in a hand-made trace ends somewhere
            long node = sites.get(s);
            if (node < 0) {
                break;
            }
            Frame f = frames.get((int) (node >>> 32));
            stack.add(f != null ? f : new Frame("?", 0, "?"));
            s = (int) node;
        }
        return stack;
    }
}
