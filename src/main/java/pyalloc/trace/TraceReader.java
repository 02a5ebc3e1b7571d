package pyalloc.trace;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** Turns a trace into batches of events. One implementation per format (see {@link TraceFormat}). */
public interface TraceReader extends Closeable {

    /** Returns the comment lines that came before the column header ({@code # python 3.12.1}, ...). */
    List<String> headerComments();

    /** Returns true when rows carry a time ({@code ns} column); else the event index is the clock. */
    boolean hasTime();

    /** Returns the warnings met so far (unknown columns, ...), each one line. */
    List<String> warnings();

    /** Fills {@code batch} from its start; returns the number of events, 0 at the end of the trace. */
    int fill(EventBatch batch) throws IOException;

    /**
     * Returns the next batch of events, or null at the end of the trace. A batch stays valid until the next
     * call, when the reader may refill it.
     */
    EventBatch next() throws IOException;

    /** Returns the malformed rows skipped so far (only in lenient mode). */
    long skippedRows();

    /** Returns the first few skipped rows' messages. */
    List<String> skippedExamples();
}
