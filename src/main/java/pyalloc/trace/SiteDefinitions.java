package pyalloc.trace;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.io.IOException;

/**
 * What a trace writer must define before an event names a call site: the frames and sites of its stack not yet
 * written, from the {@link SiteTable} its reader filled. They come outermost first, each frame just before the
 * first site that names it, as {@code pyalloc record} writes them, so a recorded trace converted to another
 * format and back has its definitions on the same lines (docs/trace-format.md, "Call sites").
 */
public final class SiteDefinitions {
    /** Where the definitions go: a format's frame and site lines or records. */
    public interface Sink {
        void frame(int id, SiteTable.Frame frame) throws IOException;

        void site(int id, int frame, int caller) throws IOException;
    }

    private final SiteTable table;
    private final IntOpenHashSet framesWritten = new IntOpenHashSet();
    private final IntOpenHashSet sitesWritten = new IntOpenHashSet();
    private final IntArrayList chain = new IntArrayList();

    public SiteDefinitions(SiteTable table) {
        this.table = table;
    }

    /**
     * Writes to {@code sink} what {@code site} needs that is not written yet. An id the table does not define is
     * left as it is (a trace may name one; the replay reports it as not defined).
     */
    public void define(int site, Sink sink) throws IOException {
        if (site == SiteTable.NONE || sitesWritten.contains(site)) {
            return;
        }
        chain.clear();
        for (int s = site; s != SiteTable.NONE && !sitesWritten.contains(s) && chain.size() < 1000; ) {
            long node = table.site(s);
            if (node < 0) {
                break;
            }
            chain.add(s);
            s = (int) node;
        }
        for (int k = chain.size() - 1; k >= 0; k--) {
            int s = chain.getInt(k);
            long node = table.site(s);
            int frame = (int) (node >>> 32);
            if (!framesWritten.contains(frame)) {
                SiteTable.Frame f = table.frame(frame);
                if (f != null) {
                    sink.frame(frame, f);
                    framesWritten.add(frame);
                }
            }
            sink.site(s, frame, (int) node);
            sitesWritten.add(s);
        }
    }
}
