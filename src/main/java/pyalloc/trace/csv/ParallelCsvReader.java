package pyalloc.trace.csv;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.ZipException;
import pyalloc.trace.Failures;
import pyalloc.trace.EventBatch;
import pyalloc.trace.PrefetchingReader;
import pyalloc.trace.TraceFormatException;
import pyalloc.trace.ThreadedReader;
import pyalloc.trace.TraceReader;

/**
 * Parses a recorder's trace on both cores: the trace is cut into chunks at line ends, and a chunk is parsed by
 * whichever thread is free, while the replay takes the parsed chunks strictly in order.
 *
 * <p>Why not one parsing thread feeding the replay: parsing a row costs more than replaying it, so a
 * pipeline runs at the parser's pace and leaves the replaying core waiting. Here the reading thread parses
 * ahead, and the replaying thread, when its next chunk is not ready, parses a later one instead of waiting:
 * the two cores share the whole work, whatever its split.
 *
 * <p>A chunk parser takes only the rows of {@link CsvTraceReader#fillCanonical} and of its one-row fast path
 * (marks, arena rows); anything else (comments, quotes, errors, a row whose time comes from before the chunk)
 * stops it, and the in-order reader goes on from there with the true line number and state. So errors,
 * lenient skips and symbolic pointers behave exactly as with one reader. Memory: {@link #SLOTS} chunks and
 * their batches, whatever the trace.
 */
public final class ParallelCsvReader extends ThreadedReader {
    /** Chunk size: big enough that locking per chunk costs nothing, small enough to share work finely. */
    static final int CHUNK = 1 << 18;
    private static final int SLOTS = 12;
    private static final int SLACK = 64;
    private static final int MAX_LINE = 1 << 24;

    private static final int FREE = 0;
    private static final int READ = 1;
    private static final int PARSING = 2;
    private static final int PARSED = 3;

    /** One piece of the trace: whole lines, their parsed events, and how far the chunk parser got. */
    private static final class Chunk {
        long index = -1;
        int state = FREE;
        byte[] data;
        int length;
        /** No line end within {@link #MAX_LINE} bytes: the trace is not a text file of lines. */
        boolean lineTooLong;
        final EventBatch batch = new EventBatch(1 << 14);
        int parsedTo;
        long lastNs;
    }

    private final String file;
    private final int chunkSize;
    private final CsvTraceReader inOrder;
    private final InputStream in;
    private final Chunk[] ring = new Chunk[SLOTS];
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread reader;

    // Guarded by lock.
    private long chunksRead;
    private boolean streamEnded;
    private Throwable readFailure;
    private boolean closed;

    // The reading thread's own.
    private byte[] carry;
    private int carryLength;
    private final CsvTraceReader readerParser;

    // The replaying thread's own.
    private final CsvTraceReader helperParser;
    private long nextChunk;
    private Chunk current;
    /** The in-order reader is reading the rest of {@link #current}, into this batch. */
    private boolean continuing;
    private final EventBatch continuation = new EventBatch(1 << 14);
    private long rowsParsedApart;

    /**
     * Opens a trace for a replay: chunks parsed on both cores under the recorders' header, else every row
     * parsed in order on a second thread.
     */
    public static TraceReader open(String file, InputStream in, boolean lenient) throws IOException {
        CsvTraceReader reader;
        try {
            reader = new CsvTraceReader(file, in, lenient);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return reader.canonical() ? new ParallelCsvReader(reader, in, CHUNK) : new PrefetchingReader(reader);
    }

    /**
     * Takes over from a reader that has read the header (which must be the canonical one) and the stream it
     * read from, and starts the reading thread; chunks of about {@code chunkSize} bytes ({@link #CHUNK}, or
     * small ones in tests, to cut often).
     */
    ParallelCsvReader(CsvTraceReader inOrder, InputStream in, int chunkSize) {
        super(inOrder);
        if (!inOrder.canonical()) {
            throw new IllegalArgumentException("chunks can be parsed apart only under the recorders' header");
        }
        this.file = inOrder.file();
        this.chunkSize = chunkSize;
        this.inOrder = inOrder;
        this.in = in;
        this.carry = inOrder.takeBuffered();
        this.carryLength = carry.length;
        this.readerParser = inOrder.chunkParser();
        this.helperParser = inOrder.chunkParser();
        for (int i = 0; i < SLOTS; i++) {
            ring[i] = new Chunk();
            ring[i].data = new byte[chunkSize + SLACK];
        }
        reader = new Thread(this::readAndParse, "pyalloc-reader");
        reader.setDaemon(true);
        reader.start();
    }

    // ---------------------------------------------------------------- the reading thread

    private void readAndParse() {
        try {
            while (true) {
                Chunk toRead = null;
                Chunk toParse = null;
                lock.lock();
                try {
                    while (!closed) {
                        Chunk slot = ring[(int) (chunksRead % SLOTS)];
                        if (!streamEnded && slot.state == FREE) {
                            toRead = slot;  // reading first: it keeps both threads supplied
                            break;
                        }
                        toParse = oldest(READ);
                        if (toParse != null) {
                            toParse.state = PARSING;
                            break;
                        }
                        changed.await();
                    }
                    if (closed) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                if (toRead != null) {
                    boolean more = read(toRead);
                    lock.lock();
                    try {
                        toRead.index = chunksRead++;
                        toRead.state = READ;
                        streamEnded = !more;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                } else {
                    parse(toParse, readerParser);
                }
            }
        } catch (InterruptedException e) {
            // closed
        } catch (Throwable t) {
            lock.lock();
            try {
                readFailure = t;
                streamEnded = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Fills a chunk with the whole lines in about {@link #chunkSize} bytes (the last line of the trace may lack
     * its end); returns false at the end of the stream.
     */
    private boolean read(Chunk c) throws IOException {
        int want = chunkSize;
        c.lineTooLong = false;
        while (true) {
            byte[] d = c.data;
            if (d.length < Math.max(want, carryLength) + SLACK) {
                d = c.data = new byte[Math.max(want, carryLength) + SLACK];
            }
            System.arraycopy(carry, 0, d, 0, carryLength);
            int n = carryLength;
            boolean end = false;
            while (n < want) {
                int r = in.read(d, n, want - n);
                if (r < 0) {
                    end = true;
                    break;
                }
                n += r;
            }
            int lineEnd = lastLineEnd(d, Math.min(n, want));
            if (lineEnd >= 0 || end) {
                c.length = lineEnd >= 0 ? lineEnd + 1 : n;
                carryLength = n - c.length;
                if (carry.length < carryLength) {
                    carry = new byte[Math.max(carryLength, chunkSize)];
                }
                System.arraycopy(d, c.length, carry, 0, carryLength);
                return !end || carryLength > 0;
            }
            if (want >= MAX_LINE) {
                c.length = 0;
                c.lineTooLong = true;
                carryLength = 0;
                return false;
            }
            // A line longer than a chunk: keep what was read and read twice as much.
            if (carry.length < n) {
                carry = new byte[n];
            }
            System.arraycopy(d, 0, carry, 0, n);
            carryLength = n;
            want = Math.min(want * 2, MAX_LINE);
        }
    }

    private static int lastLineEnd(byte[] d, int n) {
        for (int i = n - 1; i >= 0; i--) {
            if (d[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void parse(Chunk c, CsvTraceReader parser) {
        c.parsedTo = c.lineTooLong ? 0 : parser.parseChunk(c.data, 0, c.length, c.batch);
        c.lastNs = parser.lastNs();
        lock.lock();
        try {
            c.state = PARSED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the chunk in {@code state} that comes first in the trace, or null. Under the lock. */
    private Chunk oldest(int state) {
        Chunk best = null;
        for (Chunk c : ring) {
            if (c.state == state && (best == null || c.index < best.index)) {
                best = c;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- the replaying thread

    @Override
    public EventBatch next() throws IOException {
        while (true) {
            if (continuing) {
                if (inOrder.fill(continuation) > 0) {
                    return continuation;
                }
                continuing = false;
            }
            if (current != null) {
                release(current);
                current = null;
            }
            Chunk c = take();
            if (c == null) {
                return null;
            }
            current = c;
            EventBatch b = deliver(c);
            if (b != null) {
                return b;
            }
        }
    }

    /** Waits for the next chunk in order, parsing it or a later one meanwhile; null at the end. */
    private Chunk take() throws IOException {
        long k = nextChunk;
        Chunk slot = ring[(int) (k % SLOTS)];
        while (true) {
            Chunk toParse = null;
            lock.lock();
            try {
                if (slot.index == k && slot.state == PARSED) {
                    nextChunk++;
                    return slot;
                }
                if (slot.index == k && slot.state == READ) {
                    toParse = slot;
                } else {
                    if (slot.index != k && streamEnded && chunksRead == k) {
                        failIfReadFailed();
                        return null;
                    }
                    toParse = oldest(READ);  // ours is being read or parsed: help with a later one
                }
                if (toParse != null) {
                    toParse.state = PARSING;
                } else {
                    changed.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the trace");
            } finally {
                lock.unlock();
            }
            if (toParse != null) {
                parse(toParse, helperParser);
            }
        }
    }

    /** Puts a parsed chunk in its place in the trace; returns its batch, or null when it has no events. */
    private EventBatch deliver(Chunk c) {
        long lines = inOrder.lineNo();
        long lastNs = inOrder.lastNs();
        if (c.lineTooLong) {
            throw new TraceFormatException(file, lines + 1, "line is longer than " + MAX_LINE + " bytes");
        }
        EventBatch b = c.batch;
        int from = c.parsedTo;
        if (b.count > 0 && inOrder.hasTime() && b.ns[0] < lastNs) {
            // Time goes backwards across the chunk boundary: the in-order reader reports or skips it.
            b.count = 0;
            from = 0;
        }
        if (b.count > 0) {
            b.lineBase = lines;
            lines += b.count;
            rowsParsedApart += b.count;
            if (c.lastNs != Long.MIN_VALUE) {
                lastNs = c.lastNs;
            }
        }
        inOrder.continueIn(c.data, from, c.length, lines, lastNs);
        continuing = from < c.length;
        return b.count > 0 ? b : null;
    }

    private void release(Chunk c) {
        lock.lock();
        try {
            c.state = FREE;
            c.index = -1;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** At the end of the stream: a read error surfaces here, after every line before it was replayed. */
    private void failIfReadFailed() throws IOException {
        Throwable t = readFailure;
        if (t == null) {
            return;
        }
        long lines = inOrder.lineNo();
        if (t instanceof EOFException) {
            throw new TraceFormatException(file, 0, "gzip stream is cut short after line " + lines);
        } else if (t instanceof ZipException z) {
            throw new TraceFormatException(file, 0, "gzip stream is corrupt after line " + lines + " ("
                    + z.getMessage() + ")");
        }
        Failures.rethrow(t);
    }

    /** Returns the rows handed out so far that chunk parsers read (the rest the in-order reader read). */
    long rowsParsedApart() {
        return rowsParsedApart;
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        stop(reader);
        in.close();
    }
}
