package pyalloc.trace;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs another reader on its own thread, so that parsing (and gunzipping) overlaps with the replay.
 *
 * <p>Batches circulate between two bounded queues, so memory stays at a few batches whatever the trace
 * length; the first failure of the reading thread is rethrown by {@link #next()} on the caller's thread.
 */
public final class PrefetchingReader extends ThreadedReader {
    private static final int BATCHES = 4;
    private static final EventBatch END = new EventBatch(1);

    private final InOrderReader source;
    private final BlockingQueue<EventBatch> full = new ArrayBlockingQueue<>(BATCHES + 1);
    private final BlockingQueue<EventBatch> empty = new ArrayBlockingQueue<>(BATCHES);
    private final Thread thread;
    private volatile Throwable failure;
    private EventBatch current;
    /** Whether {@link #thread} has been started (at the first {@link #next}), or the reading taken over. */
    private boolean started;

    public PrefetchingReader(InOrderReader source) {
        super(source);
        this.source = source;
        for (int i = 0; i < BATCHES; i++) {
            empty.add(new EventBatch(1 << 14));
        }
        thread = new Thread(this::pump, "pyalloc-reader");
        thread.setDaemon(true);
    }

    /**
     * Returns the reader this one runs ahead, for a caller that will read on its own thread instead, into batches of
     * its own (a broadcast to many models fills the copies it hands out, and saves a copy of every batch); only
     * before the first {@link #next}, and this reader is not read from after.
     */
    public InOrderReader takeOver() {
        if (started) {
            throw new IllegalStateException("the reading thread has started");
        }
        started = true;
        return source;
    }

    private void pump() {
        try {
            while (true) {
                EventBatch dst = empty.take();
                if (source.fill(dst) == 0) {
                    break;
                }
                full.put(dst);
            }
        } catch (InterruptedException e) {
            return;
        } catch (Throwable t) {
            failure = t;
        }
        try {
            full.put(END);
        } catch (InterruptedException ignored) {
            // closing
        }
    }

    @Override
    public EventBatch next() throws IOException {
        if (!started) {
            started = true;
            thread.start();  // here, not at opening: a caller may take the reading over (takeOver)
        }
        if (current != null) {
            empty.add(current);
            current = null;
        }
        EventBatch b;
        try {
            b = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the trace");
        }
        if (b == END) {
            full.add(END);  // later calls see the end too
            if (failure != null) {
                Failures.rethrow(failure);
            }
            return null;
        }
        current = b;
        return b;
    }

    @Override
    public void close() throws IOException {
        stop(thread);
        source.close();
    }
}
