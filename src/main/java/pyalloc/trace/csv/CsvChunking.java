package pyalloc.trace.csv;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;
import pyalloc.trace.ChunkPipeline;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Failures;
import pyalloc.trace.TraceFormatException;

/**
 * CSV's part of the {@link ChunkPipeline}: chunks are cut at line ends; a chunk parser takes only the rows of
 * {@link CsvTraceReader#fillCanonical} and of its one-row fast path (marks, arena rows); anything else (comments,
 * quotes, errors, a row whose time comes from before the chunk) stops it, and the reader in order goes on from
 * there with the true line number and state. So errors, lenient skips and symbolic pointers behave exactly as
 * with one reader.
 */
final class CsvChunking implements ChunkPipeline.Chunking {
    private final String file;
    private final CsvTraceReader inOrder;
    private long rowsParsedApart;

    /** Returns the chunking of a trace whose reader in order has read the header (the recorders' one). */
    CsvChunking(CsvTraceReader inOrder) {
        if (!inOrder.canonical()) {
            throw new IllegalArgumentException("chunks can be parsed apart only under the recorders' header");
        }
        this.file = inOrder.file();
        this.inOrder = inOrder;
    }

    /** Returns a pipeline over the rest of {@code in}, the stream the reader in order read the header from. */
    ChunkPipeline pipeline(InputStream in, int chunkSize) {
        return new ChunkPipeline(inOrder, this, inOrder.takeBuffered(), in, chunkSize);
    }

    @Override
    public int lastRecordEnd(byte[] d, int n) {
        for (int i = n - 1; i >= 0; i--) {
            if (d[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    @Override
    public ChunkPipeline.ChunkParser newParser() {
        CsvTraceReader parser = inOrder.chunkParser();
        return new ChunkPipeline.ChunkParser() {
            @Override
            public int parse(byte[] data, int length, EventBatch batch) {
                return parser.parseChunk(data, 0, length, batch);
            }

            @Override
            public long state() {
                return parser.lastNs();
            }
        };
    }

    @Override
    public EventBatch place(ChunkPipeline.Chunk c) {
        long lines = inOrder.lineNo();
        long lastNs = inOrder.lastNs();
        EventBatch b = c.batch();
        int from = c.parsedTo();
        if (b.count > 0 && inOrder.hasTime() && b.ns[0] < lastNs) {
            // Time goes backwards across the chunk boundary: the reader in order reports or skips it.
            b.count = 0;
            from = 0;
        }
        if (b.count > 0) {
            b.lineBase = lines;
            lines += b.count;
            rowsParsedApart += b.count;
            if (c.parserState() != Long.MIN_VALUE) {
                lastNs = c.parserState();
            }
        }
        inOrder.continueIn(c.data(), from, c.length(), lines, lastNs);
        return b.count > 0 ? b : null;
    }

    @Override
    public int continueInOrder(EventBatch batch) throws IOException {
        return inOrder.fill(batch);
    }

    @Override
    public RuntimeException recordTooLong(int max) {
        return new TraceFormatException(file, inOrder.lineNo() + 1, "line is longer than " + max + " bytes");
    }

    @Override
    public void rethrowReadFailure(Throwable t) throws IOException {
        long lines = inOrder.lineNo();
        if (t instanceof EOFException) {
            throw new TraceFormatException(file, 0, "gzip stream is cut short after line " + lines);
        } else if (t instanceof ZipException z) {
            throw new TraceFormatException(file, 0, "gzip stream is corrupt after line " + lines + " ("
                    + z.getMessage() + ")");
        }
        Failures.rethrow(t);
    }

    /** Returns the rows handed out so far that chunk parsers read (the rest the reader in order read). */
    long rowsParsedApart() {
        return rowsParsedApart;
    }
}
