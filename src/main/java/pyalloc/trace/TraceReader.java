package pyalloc.trace;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Turns a trace into batches of events. One implementation per format (see {@link TraceFormat}). */
public interface TraceReader extends Closeable {

    /** Returns what the trace says about itself: interpreter, platform, columns. */
    TraceHeader header();

    /** Returns the warnings met so far (unknown columns, ...), each one line. */
    List<String> warnings();

    /**
     * Returns what the reader found at the end of the trace that the replay did not get (a binary trace without its
     * end record, the rest of a trace --lenient left out), each one line; empty until the end is read. Kept apart
     * from {@link #warnings}: these are said even with -q, and only once the trace has been read.
     */
    default List<String> endWarnings() {
        return List.of();
    }

    /**
     * Returns the next batch of events, or null at the end of the trace. A batch stays valid until the next
     * call, when the reader may refill it.
     */
    EventBatch next() throws IOException;

    /** Returns the malformed rows skipped so far (only in lenient mode). */
    long skippedRows();

    /** Returns the first few skipped rows' messages. */
    List<String> skippedExamples();

    /**
     * Returns the trace's call sites when it has them (docs/trace-format.md, "Call sites"): a table the reader
     * fills as it goes, while events carry their site in {@link EventBatch#site}. Known from the header on.
     */
    default Optional<SiteTable> sites() {
        return Optional.empty();
    }
}
