package pyalloc.trace.binary;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import pyalloc.trace.EventBatch;
import pyalloc.trace.TraceHeader;
import pyalloc.trace.TraceWriter;

/**
 * Writes trace format 2: the header record, then the events in blocks of up to {@link #BLOCK_EVENTS}, each
 * zstd-compressed or stored, then the end record. Memory: one block, whatever the trace's length.
 */
public final class BinaryTraceWriter implements TraceWriter {
    /**
     * Events per block: large enough that zstd finds a block's patterns and the framing costs nothing (a block
     * holds about 350 KiB of event data), small enough that a block stays in the second-level cache while it is
     * decoded.
     */
    static final int BLOCK_EVENTS = BinaryFormat.MAX_BLOCK_EVENTS;
    /** A block is cut before its event data passes this (long mark labels). */
    private static final int BLOCK_BYTES = 1 << 22;

    private final RecordOutput out;
    private final BlockEncoder encoder;
    private final BlockCodec codec;
    private final ByteSink data = new ByteSink(1 << 20);
    private final ByteSink payload = new ByteSink(1 << 20);
    private boolean finished;

    /**
     * Starts a trace on {@code out} with {@code header}'s interpreter, platform, columns and comments; with
     * {@code compress}, blocks are zstd-compressed.
     */
    public BinaryTraceWriter(OutputStream out, TraceHeader header, boolean compress) throws IOException {
        this.out = new RecordOutput(new BufferedOutputStream(out, 1 << 16));
        this.encoder = new BlockEncoder(header.hasTime());
        this.codec = compress ? BlockCodec.zstd() : BlockCodec.NONE;
        this.out.preamble();
        this.out.record(BinaryFormat.HEADER, headerPayload(header));
    }

    static ByteSink headerPayload(TraceHeader h) {
        ByteSink p = new ByteSink(256);
        p.varint(h.hasTime() ? BinaryFormat.COLUMN_TIME : 0);
        p.string(utf8(h.python()));
        p.string(utf8(h.executable()));
        p.string(utf8(h.platform()));
        p.varint(h.comments().size());
        for (String c : h.comments()) {
            p.string(utf8(c));
        }
        return p;
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Writes a site record (issue 15's allocation sites): {@code id} from 1, the function {@code function} at
     * {@code file:line}, called from site {@code parent} (0: none). A site must be written before an event names it.
     */
    public void site(long id, String file, long line, String function, long parent) throws IOException {
        ByteSink p = new ByteSink(64 + file.length() + function.length());
        p.varint(id);
        p.string(utf8(file));
        p.varint(line);
        p.string(utf8(function));
        p.varint(parent);
        out.record(BinaryFormat.SITE, p);
    }

    @Override
    public void write(EventBatch b) throws IOException {
        write(b, null);
    }

    /**
     * Writes {@code b}'s events, event {@code i} with site id {@code sites[i]} (0: none; a site record must define
     * it first), or none with {@code sites} null. For issue 15's sites until batches carry them.
     */
    public void write(EventBatch b, long[] sites) throws IOException {
        for (int i = 0; i < b.count; i++) {
            encoder.add(b, i, sites == null ? 0 : sites[i]);
            if (encoder.count() == BLOCK_EVENTS || encoder.bytes() > BLOCK_BYTES) {
                flushBlock();
            }
        }
    }

    /** Ends the current block here (tests: small blocks); the next event starts a new one. */
    public void endBlock() throws IOException {
        flushBlock();
    }

    private void flushBlock() throws IOException {
        int count = encoder.count();
        if (count == 0) {
            return;
        }
        data.clear();
        encoder.drainTo(data);
        payload.clear();
        payload.varint(count);
        codec.encode(data, payload);
        out.record(BinaryFormat.BLOCK, payload);
    }

    @Override
    public void finish() throws IOException {
        if (!finished) {
            finished = true;
            flushBlock();
            out.record(BinaryFormat.END, new byte[0], 0);
        }
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            codec.close();
        } finally {
            out.close();
        }
    }
}
