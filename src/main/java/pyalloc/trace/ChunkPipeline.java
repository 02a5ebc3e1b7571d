package pyalloc.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Parses a trace on both cores: the trace is cut into chunks at record boundaries, and a chunk is parsed by
 * whichever thread is free, while the replay takes the parsed chunks strictly in order. What a record is, how a
 * chunk is parsed and how a parsed chunk joins the trace is the format's ({@link Chunking}); the threads, the
 * ring of chunks and the hand-over are here, for every format.
 *
 * <p>Why not one parsing thread feeding the replay: parsing a row costs more than replaying it, so a
 * pipeline runs at the parser's pace and leaves the replaying core waiting. Here the reading thread parses
 * ahead, and the replaying thread, when its next chunk is not ready, parses a later one instead of waiting:
 * the two cores share the whole work, whatever its split. Memory: {@link #SLOTS} chunks and their batches,
 * whatever the trace.
 */
public final class ChunkPipeline extends ThreadedReader {

    /** A format's part: where records end, how a chunk is parsed apart, how it joins the trace in order. */
    public interface Chunking {
        /** Returns the end (exclusive) of the last whole record in {@code data[0, n)}, or -1 when none ends there. */
        int lastRecordEnd(byte[] data, int n);

        /** Returns a parser of chunks for one thread. */
        ChunkParser newParser();

        /**
         * Places a parsed chunk in the trace, on the replaying thread, in trace order: returns the batch of
         * events to replay first (null for none), and sets the reader in order to go on from where the chunk
         * parser stopped, up to the chunk's end ({@link #continueInOrder} reads those).
         */
        EventBatch place(Chunk chunk);

        /** Reads the events of the rest of the last placed chunk in order into {@code batch}; 0 when none is left. */
        int continueInOrder(EventBatch batch) throws IOException;

        /** Returns the failure to report for a record longer than {@code max} bytes. */
        RuntimeException recordTooLong(int max);

        /** Turns a failure of the reading thread, met after every record before it was replayed, into the one thrown. */
        void rethrowReadFailure(Throwable t) throws IOException;
    }

    /** Parses whole records of a chunk apart from the rest of the trace. */
    public interface ChunkParser {
        /**
         * Parses records of {@code data[0, length)} into {@code batch} as far as it can on its own; returns where
         * it stopped ({@code length} when it took every record). The rest is read in order.
         */
        int parse(byte[] data, int length, EventBatch batch);

        /** Returns the format's running state after the last {@link #parse} (CSV: the last time), for {@link Chunk}. */
        long state();
    }

    /** One piece of the trace: whole records, their parsed events, and how far the chunk parser got. */
    public static final class Chunk {
        long index = -1;
        int state = FREE;
        byte[] data;
        int length;
        /** No record ends within {@link #MAX_RECORD} bytes: the trace is not made of records. */
        boolean recordTooLong;
        final EventBatch batch = new EventBatch(1 << 14);
        int parsedTo;
        long parserState;

        /** Returns the chunk's bytes, {@code [0, length())}. */
        public byte[] data() {
            return data;
        }

        public int length() {
            return length;
        }

        /** Returns the events the chunk parser read. */
        public EventBatch batch() {
            return batch;
        }

        /** Returns where the chunk parser stopped. */
        public int parsedTo() {
            return parsedTo;
        }

        /** Returns {@link ChunkParser#state} after this chunk. */
        public long parserState() {
            return parserState;
        }
    }

    /** Chunk size: big enough that locking per chunk costs nothing, small enough to share work finely. */
    public static final int CHUNK = 1 << 18;
    private static final int SLOTS = 12;
    private static final int SLACK = 64;
    private static final int MAX_RECORD = 1 << 24;

    private static final int FREE = 0;
    private static final int READ = 1;
    private static final int PARSING = 2;
    private static final int PARSED = 3;

    private final int chunkSize;
    private final Chunking format;
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
    private final ChunkParser readerParser;

    // The replaying thread's own.
    private final ChunkParser helperParser;
    private long nextChunk;
    private Chunk current;
    /** The in-order reader is reading the rest of {@link #current}, into this batch. */
    private boolean continuing;
    private final EventBatch continuation = new EventBatch(1 << 14);

    /**
     * Takes over from a reader in order that has read the trace's header (its header, warnings and skipped rows
     * are the pipeline's), with the bytes it read past the header ({@code carry}) and the stream it read from,
     * and starts the reading thread; chunks of about {@code chunkSize} bytes ({@link #CHUNK}, or small ones in
     * tests, to cut often).
     */
    public ChunkPipeline(TraceReader inOrder, Chunking format, byte[] carry, InputStream in, int chunkSize) {
        super(inOrder);
        this.chunkSize = chunkSize;
        this.format = format;
        this.in = in;
        this.carry = carry;
        this.carryLength = carry.length;
        this.readerParser = format.newParser();
        this.helperParser = format.newParser();
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
     * Fills a chunk with the whole records in about {@link #chunkSize} bytes (the last record of the trace may
     * be cut short: the format's reader in order reports it); returns false at the end of the stream.
     */
    private boolean read(Chunk c) throws IOException {
        int want = chunkSize;
        c.recordTooLong = false;
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
            int recordEnd = format.lastRecordEnd(d, Math.min(n, want));
            if (recordEnd >= 0 || end) {
                c.length = recordEnd >= 0 ? recordEnd : n;
                carryLength = n - c.length;
                if (carry.length < carryLength) {
                    carry = new byte[Math.max(carryLength, chunkSize)];
                }
                System.arraycopy(d, c.length, carry, 0, carryLength);
                return !end || carryLength > 0;
            }
            if (want >= MAX_RECORD) {
                c.length = 0;
                c.recordTooLong = true;
                carryLength = 0;
                return false;
            }
            // A record longer than a chunk: keep what was read and read twice as much.
            if (carry.length < n) {
                carry = new byte[n];
            }
            System.arraycopy(d, 0, carry, 0, n);
            carryLength = n;
            want = Math.min(want * 2, MAX_RECORD);
        }
    }

    private void parse(Chunk c, ChunkParser parser) {
        if (c.recordTooLong) {
            c.batch.count = 0;
            c.parsedTo = 0;
        } else {
            c.parsedTo = parser.parse(c.data, c.length, c.batch);
            c.parserState = parser.state();
        }
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
                if (format.continueInOrder(continuation) > 0) {
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
        if (c.recordTooLong) {
            throw format.recordTooLong(MAX_RECORD);
        }
        EventBatch b = format.place(c);
        continuing = true;
        return b;
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

    /** At the end of the stream: a read error surfaces here, after every record before it was replayed. */
    private void failIfReadFailed() throws IOException {
        if (readFailure != null) {
            format.rethrowReadFailure(readFailure);
        }
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
