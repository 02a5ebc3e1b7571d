package pyalloc.trace;

import java.io.Closeable;
import java.io.IOException;

/**
 * Writes a trace in one format (see {@link TraceFormat#writer}): the header when opened, then the events batch by
 * batch, as a reader hands them out, so that a trace is converted in one pass whatever its length.
 */
public interface TraceWriter extends Closeable {

    /** Appends the events of {@code batch}, with their lines ({@link EventBatch#line(int)}). */
    void write(EventBatch batch) throws IOException;

    /** Ends the trace (a format with an end record writes it) and flushes; {@link #close} then closes the stream. */
    void finish() throws IOException;
}
