package pyalloc.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.Objects;

/** Walks a trace event by event, whatever its batches, to compare two readings of one trace field by field. */
public final class EventCursor {
    private final TraceReader reader;
    private EventBatch batch;
    private int i = -1;
    private long index;
    /** The reader's call sites, or null when the trace has none. */
    private final SiteTable sites;

    public EventCursor(TraceReader reader) {
        this.reader = reader;
        this.sites = reader.sites().orElse(null);
    }

    /** The current event's call site; none for events that carry none, or in a trace without sites. */
    private int site() {
        byte op = batch.op[i];
        return sites != null && (op == Op.ALLOC || op == Op.CALLOC || op == Op.REALLOC) ? batch.site[i]
                : SiteTable.NONE;
    }

    /** Moves to the next event; false at the end of the trace. */
    public boolean advance() throws IOException {
        i++;
        while (batch == null || i >= batch.count) {
            batch = reader.next();
            i = 0;
            if (batch == null) {
                return false;
            }
        }
        index++;
        return true;
    }

    /** The current event as text: op, domain, pointers, size, time, line and label. */
    public String describe() {
        return Op.name(batch.op[i]) + " domain=" + batch.domain[i] + " ptr=" + Long.toHexString(batch.ptr[i])
                + " new=" + Long.toHexString(batch.newPtr[i]) + " size=" + batch.size[i] + " ns=" + batch.ns[i]
                + " line=" + batch.line(i) + (batch.op[i] == Op.MARK ? " label=" + batch.label[i] : "")
                + (sites != null ? " site=" + site() : "");
    }

    private boolean sameEvent(EventCursor o) {
        EventBatch a = batch;
        EventBatch b = o.batch;
        int j = o.i;
        return a.op[i] == b.op[j] && a.domain[i] == b.domain[j] && a.ptr[i] == b.ptr[j]
                && a.newPtr[i] == b.newPtr[j] && a.size[i] == b.size[j] && a.ns[i] == b.ns[j]
                && a.line(i) == b.line(j) && (a.op[i] != Op.MARK || Objects.equals(a.label[i], b.label[j]))
                && site() == o.site();
    }

    /**
     * Asserts that both readers give the same header (but the format), the same events and the same call sites
     * (each event's site id, and each site's stack of frames); returns the number of events.
     */
    public static long assertSameTrace(TraceReader expected, TraceReader actual) throws IOException {
        TraceHeader e = expected.header();
        TraceHeader a = actual.header();
        assertEquals(e.python(), a.python());
        assertEquals(e.executable(), a.executable());
        assertEquals(e.platform(), a.platform());
        assertEquals(e.hasTime(), a.hasTime());
        assertEquals(e.comments(), a.comments());
        EventCursor x = new EventCursor(expected);
        EventCursor y = new EventCursor(actual);
        assertEquals(x.sites != null, y.sites != null, "whether the trace has call sites");
        it.unimi.dsi.fastutil.ints.IntOpenHashSet named = new it.unimi.dsi.fastutil.ints.IntOpenHashSet();
        long n = 0;
        while (x.advance()) {
            if (!y.advance()) {
                throw new AssertionError("event " + (n + 1) + " missing: " + x.describe());
            }
            n++;
            if (!x.sameEvent(y)) {
                assertEquals(x.describe(), y.describe(), "event " + n);
            }
            if (x.site() != SiteTable.NONE) {
                named.add(x.site());
            }
        }
        for (int site : named) {
            assertEquals(x.sites.stack(site), y.sites.stack(site), "site " + site);
        }
        if (y.advance()) {
            throw new AssertionError("an extra event after " + n + ": " + y.describe());
        }
        assertNull(y.batch);
        return n;
    }
}
