package pyalloc.trace;

import java.io.IOException;

/**
 * A reader that parses on the caller's thread into batches the caller owns, so that another thread can run it
 * ahead of the replay ({@link PrefetchingReader}).
 */
public interface InOrderReader extends TraceReader {

    /** Fills {@code batch} from its start; returns the number of events, 0 at the end of the trace. */
    int fill(EventBatch batch) throws IOException;
}
