package pyalloc.trace.csv;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import pyalloc.trace.Domain;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;
import pyalloc.trace.PointerIds;
import pyalloc.trace.SiteDefinitions;
import pyalloc.trace.SiteTable;
import pyalloc.trace.TraceHeader;
import pyalloc.trace.TraceWriter;

/**
 * Writes trace format 1, CSV, as {@code pyalloc record} does: the header's comment lines, the column header
 * ({@code op,ptr,size,new_ptr,domain,ns,label}, without {@code ns} for a trace without times), one row per event.
 * Every event keeps its line: where the trace it came from had lines without events (comments, blank lines), blank
 * lines stand in for them, so that reports, which name lines, read the same from either form. A trace with call
 * sites gets the {@code site} column, and each {@code #frame} and {@code #site} line just before the first row that
 * needs it (the lines the trace it came from had there, when the recorder wrote it).
 */
public final class CsvTraceWriter implements TraceWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] OPS = new byte[Op.MARK + 1][];
    private static final byte[][] DOMAINS = {bytes("obj"), bytes("mem"), bytes("raw")};

    static {
        for (byte op = 0; op <= Op.MARK; op++) {
            OPS[op] = bytes(Op.name(op));
        }
    }

    private final OutputStream out;
    private final boolean hasTime;
    private final byte[] buf = new byte[1 << 16];
    private int n;
    /** Lines written so far. */
    private long lines;
    /** The definitions still to write, or null for a trace without sites. */
    private final SiteDefinitions sites;
    /** The definition lines an event needs, gathered before its row; each ends in a newline. */
    private final StringBuilder definitions = new StringBuilder();
    private long definitionLines;
    private final SiteDefinitions.Sink definitionSink = new SiteDefinitions.Sink() {
        @Override
        public void frame(int id, SiteTable.Frame f) {
            definitions.append("#frame,").append(id).append(',');
            field(f.file());
            definitions.append(',').append(Math.max(0, f.line())).append(',');
            field(f.function());
            definitions.append('\n');
            definitionLines++;
        }

        @Override
        public void site(int id, int frame, int caller) {
            definitions.append("#site,").append(id).append(',').append(frame).append(',');
            if (caller != SiteTable.NONE) {
                definitions.append(caller);
            }
            definitions.append('\n');
            definitionLines++;
        }

        /** A field, quoted as the recorder quotes one (RFC 4180); its line ends count as lines. */
        private void field(String f) {
            if (f.indexOf(',') < 0 && f.indexOf('"') < 0 && f.indexOf('\n') < 0 && f.indexOf('\r') < 0) {
                definitions.append(f);
                return;
            }
            definitions.append('"').append(f.replace("\"", "\"\"")).append('"');
            definitionLines += f.chars().filter(c -> c == '\n').count();
        }
    };

    /** Starts a CSV trace on {@code out}, gzip-compressed (level 1, as {@code record}'s gzip) with {@code gzip}. */
    public CsvTraceWriter(OutputStream out, TraceHeader header, boolean gzip) throws IOException {
        this(out, header, null, gzip);
    }

    /** As above, with the call sites of {@code sites} (null: none) in a site column. */
    public CsvTraceWriter(OutputStream out, TraceHeader header, SiteTable sites, boolean gzip) throws IOException {
        this.out = gzip ? new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        } : out;
        this.hasTime = header.hasTime();
        this.sites = sites == null ? null : new SiteDefinitions(sites);
        for (String c : header.comments()) {
            text(c.replace('\r', ' ').replace('\n', ' '));
            newline();
        }
        text((hasTime ? "op,ptr,size,new_ptr,domain,ns,label" : "op,ptr,size,new_ptr,domain,label")
                + (sites != null ? ",site" : ""));
        newline();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void write(EventBatch b) throws IOException {
        for (int i = 0; i < b.count; i++) {
            long target = b.line(i);
            int site = sites != null && b.op[i] <= Op.REALLOC && b.op[i] != Op.FREE ? b.site[i] : SiteTable.NONE;
            if (site != SiteTable.NONE) {
                sites.define(site, definitionSink);
            }
            while (lines + 1 + definitionLines < target) {
                newline();
            }
            if (definitionLines > 0) {
                text(definitions.toString());
                lines += definitionLines;
                definitions.setLength(0);
                definitionLines = 0;
            }
            row(b, i, site);
        }
    }

    private void row(EventBatch b, int i, int site) throws IOException {
        if (n > buf.length - 128) {
            flushBuffer();
        }
        byte op = b.op[i];
        put(OPS[op]);
        put(',');
        if (op != Op.MARK) {
            pointer(b.ptr[i]);
        }
        put(',');
        if (op == Op.ALLOC || op == Op.CALLOC || op == Op.REALLOC || op == Op.ARENA_ALLOC
                || op == Op.ARENA_FREE && b.size[i] != 0) {
            decimal(b.size[i]);
        }
        put(',');
        if (op == Op.REALLOC) {
            pointer(b.newPtr[i]);
        }
        put(',');
        byte domain = b.domain[i];
        if (domain != Domain.OBJ || op <= Op.REALLOC) {
            put(DOMAINS[domain]);
        }
        put(',');
        if (hasTime && b.ns[i] != EventBatch.NO_NS) {
            decimal(b.ns[i]);
        }
        if (hasTime) {
            put(',');
        }
        if (op == Op.MARK) {
            label(b.label[i]);
        }
        if (site != SiteTable.NONE) {
            put(',');
            decimal(site);
        }
        newline();
    }

    /** A label, quoted when it holds a comma, a quote or a line end (RFC 4180); its line ends count as lines. */
    private void label(String s) throws IOException {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            text(s);
            return;
        }
        text("\"" + s.replace("\"", "\"\"") + "\"");
        lines += s.chars().filter(c -> c == '\n').count();
    }

    private void pointer(long p) throws IOException {
        if (PointerIds.isId(p)) {
            text(PointerIds.token(p));
            return;
        }
        put('0');
        put('x');
        int digits = Math.max(1, 16 - Long.numberOfLeadingZeros(p) / 4);
        for (int k = digits - 1; k >= 0; k--) {
            buf[n++] = HEX[(int) (p >>> (k * 4)) & 15];
        }
    }

    private void decimal(long v) {
        if (v == 0) {
            buf[n++] = '0';
            return;
        }
        int from = n;
        while (v > 0) {
            buf[n++] = (byte) ('0' + v % 10);
            v /= 10;
        }
        for (int a = from, z = n - 1; a < z; a++, z--) {
            byte t = buf[a];
            buf[a] = buf[z];
            buf[z] = t;
        }
    }

    private void put(int c) {
        buf[n++] = (byte) c;
    }

    private void put(byte[] b) {
        System.arraycopy(b, 0, buf, n, b.length);
        n += b.length;
    }

    private void text(String s) throws IOException {
        byte[] b = bytes(s);
        if (n + b.length > buf.length - 128) {
            flushBuffer();
            if (b.length > buf.length - 128) {
                out.write(b);
                return;
            }
        }
        put(b);
    }

    private void newline() throws IOException {
        if (n > buf.length - 128) {
            flushBuffer();
        }
        buf[n++] = '\n';
        lines++;
    }

    private void flushBuffer() throws IOException {
        out.write(buf, 0, n);
        n = 0;
    }

    @Override
    public void finish() throws IOException {
        flushBuffer();
        if (out instanceof GZIPOutputStream gz) {
            gz.finish();
        }
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
