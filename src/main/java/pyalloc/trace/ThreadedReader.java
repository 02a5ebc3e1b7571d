package pyalloc.trace;

import java.io.InterruptedIOException;
import java.util.List;
import java.util.Optional;

/**
 * A reader that reads on a thread of its own and hands out its own batches; the
 * header, warnings and skipped rows are those of the reader it reads in order with.
 */
public abstract class ThreadedReader implements TraceReader {
    private final TraceReader source;

    protected ThreadedReader(TraceReader source) {
        this.source = source;
    }

    /**
     * Interrupts the reading thread and waits for it before the stream closes, so that nothing reads from a
     * stream being closed. A thread blocked on a pipe (stdin) may never stop: then only so long.
     */
    protected static void stop(Thread reader) throws InterruptedIOException {
        reader.interrupt();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing the trace");
        }
    }

    @Override
    public TraceHeader header() {
        return source.header();
    }

    @Override
    public List<String> warnings() {
        return source.warnings();
    }

    @Override
    public List<String> endWarnings() {
        return source.endWarnings();
    }

    @Override
    public long skippedRows() {
        return source.skippedRows();
    }

    @Override
    public List<String> skippedExamples() {
        return source.skippedExamples();
    }

    @Override
    public Optional<SiteTable> sites() {
        return source.sites();
    }
}
