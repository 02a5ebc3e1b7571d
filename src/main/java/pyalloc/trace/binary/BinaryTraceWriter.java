package pyalloc.trace.binary;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;
import pyalloc.trace.SiteDefinitions;
import pyalloc.trace.SiteTable;
import pyalloc.trace.TraceHeader;
import pyalloc.trace.TraceWriter;

/**
 * Writes trace format 2: the header record, then the events in blocks of up to {@link #BLOCK_EVENTS}, each
 * zstd-compressed or stored, then the end record. Memory: one block, whatever the trace's length. A trace with
 * call sites gets a frame record and a site record for each frame and site, just before the block whose first
 * event naming it is in (the definitions a CSV trace has on lines of their own).
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
    /** The definitions still to write, or null for a trace without sites. */
    private final SiteDefinitions sites;
    private final SiteDefinitions.Sink definitionSink = new SiteDefinitions.Sink() {
        @Override
        public void frame(int id, SiteTable.Frame f) throws IOException {
            ByteSink p = new ByteSink(64 + 3 * (f.file().length() + f.function().length()));
            p.varint(id);
            p.string(utf8(f.file()));
            p.varint(Math.max(0, f.line()));
            p.string(utf8(f.function()));
            out.record(BinaryFormat.FRAME, p);
        }

        @Override
        public void site(int id, int frame, int caller) throws IOException {
            ByteSink p = new ByteSink(32);
            p.varint(id);
            p.varint(frame);
            p.varint(caller);
            out.record(BinaryFormat.SITE, p);
        }
    };

    /**
     * Starts a trace on {@code out} with {@code header}'s interpreter, platform, columns and comments; with
     * {@code compress}, blocks are zstd-compressed.
     */
    public BinaryTraceWriter(OutputStream out, TraceHeader header, boolean compress) throws IOException {
        this(out, header, null, compress);
    }

    /** As above, with the call sites of {@code sites} (null: none): events carry their site ids. */
    public BinaryTraceWriter(OutputStream out, TraceHeader header, SiteTable sites, boolean compress)
            throws IOException {
        this.sites = sites == null ? null : new SiteDefinitions(sites);
        this.out = new RecordOutput(new BufferedOutputStream(out, 1 << 16));
        this.encoder = new BlockEncoder(header.hasTime());
        this.codec = compress ? BlockCodec.zstd() : BlockCodec.NONE;
        this.out.preamble();
        this.out.record(BinaryFormat.HEADER, headerPayload(header, sites != null));
    }

    static ByteSink headerPayload(TraceHeader h, boolean sites) {
        ByteSink p = new ByteSink(256);
        p.varint((h.hasTime() ? BinaryFormat.COLUMN_TIME : 0) | (sites ? BinaryFormat.COLUMN_SITE : 0));
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

    @Override
    public void write(EventBatch b) throws IOException {
        for (int i = 0; i < b.count; i++) {
            byte op = b.op[i];
            int site = sites != null && op <= Op.REALLOC && op != Op.FREE ? b.site[i] : SiteTable.NONE;
            if (site != SiteTable.NONE) {
                sites.define(site, definitionSink);  // records before the block this event goes into
            }
            encoder.add(b, i, site);
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
