package pyalloc.trace.csv;

import static pyalloc.trace.csv.CsvColumns.DOMAIN;
import static pyalloc.trace.csv.CsvColumns.LABEL;
import static pyalloc.trace.csv.CsvColumns.NEW_PTR;
import static pyalloc.trace.csv.CsvColumns.NS;
import static pyalloc.trace.csv.CsvColumns.OP;
import static pyalloc.trace.csv.CsvColumns.PTR;
import static pyalloc.trace.csv.CsvColumns.SITE;
import static pyalloc.trace.csv.CsvColumns.SIZE;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipException;
import pyalloc.trace.ChunkPipeline;
import pyalloc.trace.Domain;
import pyalloc.trace.EventBatch;
import pyalloc.trace.InOrderReader;
import pyalloc.trace.Op;
import pyalloc.trace.PrefetchingReader;
import pyalloc.trace.SiteTable;
import pyalloc.trace.TraceFormatException;
import pyalloc.trace.TraceHeader;
import pyalloc.trace.TraceReader;

/**
 * Reads trace format 1, CSV (docs/trace-format.md): line buffering and the two fast paths here, the column
 * header in {@link CsvColumns}, every other row in {@link CsvGeneralRows}.
 *
 * <p>Plain rows, the whole of a captured trace, are split and parsed straight from the byte buffer, with no
 * String or object per row: that is what lets a replay run at tens of millions of events per second. A row
 * that holds a quote, and the header, go through Apache Commons CSV, so quoting follows RFC 4180 exactly.
 */
public final class CsvTraceReader implements InOrderReader {
    private static final int MAX_LINE = 1 << 24;
    /** Bytes kept unused at the end of the buffer, so that word reads past a line's end stay in bounds. */
    private static final int SLACK = 64;
    private static final int MAX_EXAMPLES = 10;

    private final String file;
    private final InputStream in;
    private final boolean lenient;
    /**
     * True for a {@link #chunkParser}: it starts in the middle of the trace, so it knows neither the line
     * number nor the last time, and leaves any row whose value would depend on them to the in-order reader.
     */
    private final boolean detached;
    private byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;
    private long lineNo;

    private final List<String> headerComments = new ArrayList<>();
    private TraceHeader header;
    private final List<String> warnings = new ArrayList<>();
    /** The header's columns; {@link #nColumns}, {@link #roleToField} and {@link #fastRoles} are its, in fields. */
    private CsvColumns columns;
    private int nColumns;
    private int[] roleToField;
    private int[] fastRoles;
    /** Every row the fast paths decline. */
    private CsvGeneralRows general;
    private static final int OBJ_COMMA = ascii4("obj,");
    private static final int MEM_COMMA = ascii4("mem,");
    private static final int RAW_COMMA = ascii4("raw,");
    /**
     * The domain field with its comma, by its first byte's low 5 bits ('o', 'm', 'r' and ',' differ there):
     * the word to match under the mask, the domain and the length; an empty slot matches nothing.
     */
    private static final int[] DOMAIN_WORD = new int[32];
    private static final int[] DOMAIN_MASK = new int[32];
    private static final byte[] DOMAIN_OF = new byte[32];
    private static final int[] DOMAIN_LENGTH = new int[32];

    static {
        java.util.Arrays.fill(DOMAIN_WORD, 1);  // under a mask of 0, nothing gives 1
        int[] words = {OBJ_COMMA, MEM_COMMA, RAW_COMMA, ','};
        byte[] domains = {Domain.OBJ, Domain.MEM, Domain.RAW, Domain.OBJ};
        for (int i = 0; i < words.length; i++) {
            int k = words[i] & 0x1F;
            DOMAIN_WORD[k] = words[i];
            DOMAIN_MASK[k] = i < 3 ? -1 : 0xFF;
            DOMAIN_OF[k] = domains[i];
            DOMAIN_LENGTH[k] = i < 3 ? 4 : 1;
        }
    }
    /** True when the header is exactly op,ptr,size,new_ptr,domain,ns,label[,site]: {@link #fillCanonical} applies. */
    private boolean canonical;
    /** True when rows have a {@code site} column. */
    private boolean hasSite;
    /** The trace's call sites, from its #frame and #site lines; null without a site column (or in a chunk parser). */
    private SiteTable sites;
    private long lastNs = Long.MIN_VALUE;

    private long skipped;
    private long generalPathRows;
    private final List<String> skippedExamples = new ArrayList<>();
    private final EventBatch batch = new EventBatch(1 << 14);

    public CsvTraceReader(String file, InputStream in, boolean lenient) throws IOException {
        this.file = file;
        this.in = in;
        this.lenient = lenient;
        this.detached = false;
        this.buf = new byte[(1 << 20) + SLACK];
        readHeader();
        this.header = CsvHeaderComments.parse(headerComments, hasTime());
        this.sites = hasSite ? new SiteTable() : null;
    }

    /** Returns true for any trace: CSV is text and has no magic number ({@link pyalloc.trace.TraceFormat}). */
    public static boolean sniff(byte[] head, int n) {
        return true;
    }

    /**
     * Opens a CSV trace: with {@code concurrent}, a recorder's trace is parsed on both cores ({@link ChunkPipeline})
     * and any other on a second thread ahead of the replay ({@link PrefetchingReader}); else on the caller's thread.
     */
    public static TraceReader open(String file, InputStream in, boolean lenient, boolean concurrent)
            throws IOException {
        CsvTraceReader reader;
        try {
            reader = new CsvTraceReader(file, in, lenient);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        if (!concurrent) {
            return reader;
        }
        return reader.canonical() ? new CsvChunking(reader).pipeline(in, ChunkPipeline.CHUNK)
                : new PrefetchingReader(reader);
    }

    /** A parser of detached chunks with the header of {@code header} (see {@link #chunkParser}). */
    private CsvTraceReader(CsvTraceReader header) {
        this.file = header.file;
        this.in = null;
        this.lenient = header.lenient;
        this.detached = true;
        useColumns(header.columns);
        this.header = header.header;
    }

    String file() {
        return file;
    }

    /** Returns true when the header is the recorders' one, so that chunks can be parsed apart. */
    boolean canonical() {
        return canonical;
    }

    /**
     * Returns a parser for chunks of this trace, for another thread: it runs only the straight-line loop of
     * {@link #fillCanonical}, with line numbers counted from the chunk's start.
     */
    CsvTraceReader chunkParser() {
        return new CsvTraceReader(this);
    }

    /**
     * Parses whole lines of {@code chunk[from, to)} into {@code batch} as far as the straight-line loop goes,
     * with lines numbered from 1; returns where it stopped ({@code to} when it took every line). The rest is
     * for the in-order reader ({@link #continueIn}), which reports errors with true line numbers.
     */
    int parseChunk(byte[] chunk, int from, int to, EventBatch batch) {
        buf = chunk;
        pos = from;
        limit = to;
        eof = true;
        lineNo = 0;
        lastNs = Long.MIN_VALUE;
        batch.count = 0;
        batch.lineBase = 0;
        do {
            fillCanonical(batch);
            // A mark or arena row stops the straight-line loop (it would cost C2 a recompile there); the
            // one-row fast path takes it, so that the rest of the chunk is still parsed apart.
        } while (batch.count < batch.capacity() && pos < limit && fastRow(batch));
        return pos;
    }

    /** Returns the last time the latest {@link #parseChunk} read, or {@code Long.MIN_VALUE} for none. */
    long lastNs() {
        return lastNs;
    }

    /** Returns the lines read so far. */
    long lineNo() {
        return lineNo;
    }

    /** Takes the bytes read past the header, for a reader that goes on reading the stream itself. */
    byte[] takeBuffered() {
        byte[] rest = Arrays.copyOfRange(buf, pos, limit);
        pos = limit;
        return rest;
    }

    /**
     * Makes {@link #fill} read the whole lines of {@code chunk[from, to)} next, and nothing after them, after
     * {@code lines} lines whose last time was {@code lastNs}.
     */
    void continueIn(byte[] chunk, int from, int to, long lines, long lastNs) {
        buf = chunk;
        pos = from;
        limit = to;
        eof = true;
        lineNo = lines;
        this.lastNs = lastNs;
    }

    @Override
    public TraceHeader header() {
        return header;
    }

    /** Returns true when rows carry a time ({@code ns} column). */
    boolean hasTime() {
        return roleToField[NS] >= 0;
    }

    @Override
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public long skippedRows() {
        return skipped;
    }

    @Override
    public List<String> skippedExamples() {
        return skippedExamples;
    }

    @Override
    public Optional<SiteTable> sites() {
        return Optional.ofNullable(sites);
    }

    /** Returns the rows that took the general path (quoted, symbolic, malformed, ...); for tests. */
    public long generalPathRows() {
        return generalPathRows;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    // ---------------------------------------------------------------- lines

    /** Finds the next line; returns its end (exclusive, without CR/LF) and leaves pos at its start, or -1. */
    private int nextLine() throws IOException {
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    lineNo++;
                    return i;
                }
            }
            if (eof) {
                if (pos < limit) {
                    lineNo++;
                    return limit;  // last line without a newline
                }
                return -1;
            }
            refill();
        }
    }

    private void refill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length - SLACK) {
            if (buf.length >= MAX_LINE) {
                throw new TraceFormatException(file, lineNo + 1, "line is longer than " + MAX_LINE + " bytes");
            }
            buf = Arrays.copyOf(buf, (buf.length - SLACK) * 2 + SLACK);
        }
        int n;
        try {
            n = in.read(buf, limit, buf.length - SLACK - limit);
        } catch (EOFException | ZipException e) {
            throw TraceFormatException.brokenGzip(file, lineNo, e);
        }
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    /** Returns the next line's text without its line end and moves past it, or null at the end of the trace. */
    private String nextLineText() throws IOException {
        int end = nextLine();
        if (end < 0) {
            return null;
        }
        String text = new String(buf, pos, trimCr(buf, pos, end) - pos, StandardCharsets.UTF_8);
        pos = Math.min(end + 1, limit);
        return text;
    }

    private static int trimCr(byte[] b, int from, int end) {
        return end > from && b[end - 1] == '\r' ? end - 1 : end;
    }

    private void readHeader() throws IOException {
        int end;
        while ((end = nextLine()) >= 0) {
            if (lineNo == 1 && end - pos >= 3 && buf[pos] == (byte) 0xef && buf[pos + 1] == (byte) 0xbb
                    && buf[pos + 2] == (byte) 0xbf) {
                pos += 3;  // a UTF-8 byte-order mark, as every spreadsheet writes one: not part of the text
            }
            int from = pos;
            int to = trimCr(buf, from, end);
            pos = Math.min(end + 1, limit);
            if (to == from) {
                continue;
            }
            String text = new String(buf, from, to - from, StandardCharsets.UTF_8);
            if (buf[from] == '#') {
                headerComments.add(text);
                continue;
            }
            useColumns(new CsvColumns(file, lineNo, text));
            if (columns.warning != null) {
                warnings.add(columns.warning);
            }
            return;
        }
        throw new TraceFormatException(file, 0, "is empty: no header line (expected e.g. op,ptr,size)");
    }

    private void useColumns(CsvColumns c) {
        columns = c;
        nColumns = c.count;
        roleToField = c.roleToField;
        fastRoles = c.fastRoles;
        canonical = c.canonical;
        hasSite = c.has(SITE);
        general = new CsvGeneralRows(file, c);
    }

    // ---------------------------------------------------------------- rows

    @Override
    public EventBatch next() throws IOException {
        return fill(batch) > 0 ? batch : null;
    }

    @Override
    public int fill(EventBatch batch) throws IOException {
        batch.count = 0;
        batch.lineBase = 0;
        int end;
        while (batch.count < batch.capacity()) {
            if (canonical) {
                fillCanonical(batch);
                if (batch.count == batch.capacity()) {
                    break;
                }
            }
            if (fastRow(batch)) {
                continue;
            }
            if ((end = nextLine()) < 0) {
                break;
            }
            int from = pos;
            int to = trimCr(buf, from, end);
            pos = Math.min(end + 1, limit);
            if (to == from || buf[from] == '#' && (sites == null || !CsvGeneralRows.isDefinition(buf, from, to))) {
                continue;
            }
            long rowLine = lineNo;
            generalPathRows++;
            general.lastNs = lastNs;
            try {
                if (buf[from] == '#') {
                    general.define(buf, from, to, rowLine, this::nextLineText, sites);
                } else if (general.split(buf, from, to, rowLine)) {
                    general.parseRow(buf, batch, rowLine);
                } else {
                    general.parseQuotedRow(buf, from, to, batch, rowLine, this::nextLineText);
                }
            } catch (TraceFormatException e) {
                if (!lenient) {
                    throw e;
                }
                skipped++;
                if (skippedExamples.size() < MAX_EXAMPLES) {
                    skippedExamples.add(e.getMessage());
                }
            } finally {
                lastNs = general.lastNs;
            }
        }
        return batch.count;
    }

    /**
     * {@link #fastRow} for the canonical header {@code op,ptr,size,new_ptr,domain,ns,label} (what recorders
     * write), for as many rows as fit: straight-line code, one word read per field, no per-field dispatch,
     * and the position, line and last time kept in locals from row to row. Stops, consuming nothing of it,
     * at the first row it cannot take (the general path then reads and reports that row).
     */
    private void fillCanonical(EventBatch batch) {
        final byte[] b = buf;
        final int lim = limit;
        final boolean hasNs = roleToField[NS] >= 0;
        final byte[] ops = batch.op;
        final byte[] domains = batch.domain;
        final long[] ptrs = batch.ptr;
        final long[] newPtrs = batch.newPtr;
        final long[] sizes = batch.size;
        final long[] times = batch.ns;
        final long[] lines = batch.line;
        final int[] siteIds = batch.site;
        final boolean withSite = hasSite;
        final int capacity = batch.capacity();
        int count = batch.count;
        int p = pos;
        int done = p;  // the end of the last row stored: where the next fill starts
        long line = lineNo;
        long last = lastNs;
        rows:
        while (count < capacity && p < lim) {
            long x = Swar.word(b, p);
            int n = Swar.wordFieldEnd(x);
            byte op = CsvSpellings.fromWord(x, n);
            if (op < 0 || b[p + n] != ',') {
                break;
            }
            p += n + 1;
            if (p >= lim) {
                break;
            }
            // Each field: first where it ends (the next field waits for that), then its value and whether it is
            // well-formed (nothing waits for those but a branch that is predicted).
            // ptr: 0x and 1..16 hex digits, or empty
            long ptr = EventBatch.NO_PTR;
            if (b[p] == '0' && b[p + 1] == 'x') {
                int e = Swar.fieldEnd(b, p + 2);
                n = e - p - 2;
                if (e < 0 || n == 0) {
                    break;
                }
                ptr = Swar.hexOrBad(b, p + 2, n);
                if (ptr < 0) {
                    break;  // not hex (BAD_HEX), or bit 63 set: the general path decides (see PointerIds)
                }
                p = e;
            }
            if (b[p++] != ',' || p >= lim) {
                break;
            }
            // size: up to 8 digits (one word: requests under 100 MB), or empty
            long size = -1;
            if (b[p] != ',') {
                int e = Swar.fieldEnd(b, p);
                n = e - p;
                if (e < 0 || n == 0 || n > 8) {
                    break;
                }
                size = Swar.decimalOrBad(b, p, n);
                if (size < 0) {
                    break;
                }
                p = e;
            }
            if (b[p++] != ',' || p >= lim) {
                break;
            }
            // new_ptr
            long newPtr = EventBatch.NO_PTR;
            if (b[p] == '0' && b[p + 1] == 'x') {
                int e = Swar.fieldEnd(b, p + 2);
                n = e - p - 2;
                if (e < 0 || n == 0) {
                    break;
                }
                newPtr = Swar.hexOrBad(b, p + 2, n);
                if (newPtr < 0) {
                    break;
                }
                p = e;
            }
            if (b[p++] != ',' || p >= lim) {
                break;
            }
            // domain: "obj," "mem," "raw," or empty, looked up by the first byte (no branch between domains)
            int w = (int) Swar.word(b, p);
            int k = w & 0x1F;
            if ((w & DOMAIN_MASK[k]) != DOMAIN_WORD[k]) {
                break;
            }
            byte domain = DOMAIN_OF[k];
            p += DOMAIN_LENGTH[k];
            if (p >= lim) {
                break;
            }
            // ns: up to 15 digits, or empty
            long ns = -1;
            if (b[p] >= '0') {
                int e = Swar.fieldEnd(b, p);
                n = e - p;
                if (e < 0 || n > 15) {
                    break;
                }
                ns = Swar.decimalOrBad(b, p, n);  // n >= 1: the field starts with a byte from '0' up
                if (ns < 0) {
                    break;
                }
                p = e;
            }
            if (p >= lim) {
                break;
            }
            // label (ignored: marks take the general path), the site, then the end of the row
            int site = SiteTable.NONE;
            if (b[p] == ',') {
                ++p;
                while (p < lim && b[p] != '\n' && b[p] != '\r' && b[p] != ',') {
                    if (b[p] == '"') {
                        break rows;
                    }
                    p++;
                }
                if (p < lim && b[p] == ',') {
                    if (!withSite) {
                        break;  // more fields than columns: the general path says so
                    }
                    ++p;
                    // site: 1..9 digits, not 0, or empty
                    if (p < lim && b[p] >= '0') {
                        int e = Swar.fieldEnd(b, p);
                        n = e - p;
                        if (e < 0 || n > 9) {
                            break;
                        }
                        long v = Swar.decimalOrBad(b, p, n);
                        if (v <= 0) {
                            break;
                        }
                        site = (int) v;
                        p = e;
                    }
                }
            }
            if (p < lim && b[p] == '\r') {
                p++;
            }
            if (p >= lim || b[p] != '\n') {
                break;
            }
            // The rules parseRow checks; a row that breaks one is left to the general path.
            long rowLast = last;
            if (ns >= 0) {
                if (ns < last) {
                    break;
                }
                rowLast = ns;
            } else if (hasNs) {
                if (last == Long.MIN_VALUE && detached) {
                    break;  // the time comes from a row before the chunk
                }
                ns = last == Long.MIN_VALUE ? EventBatch.NO_NS : last;
            }
            switch (op) {
                case Op.ALLOC, Op.CALLOC, Op.ARENA_ALLOC -> {
                    if (ptr == EventBatch.NO_PTR || size < 0) {
                        break rows;
                    }
                    newPtr = EventBatch.NO_PTR;
                }
                case Op.FREE, Op.ARENA_FREE -> {
                    if (ptr == EventBatch.NO_PTR) {
                        break rows;
                    }
                    size = 0;
                    newPtr = EventBatch.NO_PTR;
                }
                case Op.REALLOC -> {
                    if (ptr == EventBatch.NO_PTR || size < 0) {
                        break rows;
                    }
                    if (newPtr == EventBatch.NO_PTR) {
                        newPtr = ptr;
                    }
                }
                default -> {
                    break rows;  // CsvSpellings.fromWord gives none other
                }
            }
            ops[count] = op;
            domains[count] = domain;
            ptrs[count] = ptr;
            newPtrs[count] = newPtr;
            sizes[count] = size;
            times[count] = ns;
            siteIds[count] = site;
            last = rowLast;
            lines[count] = ++line;
            count++;
            done = ++p;
        }
        pos = done;  // a row given up on half way is read again, from its start, by the general path
        batch.count = count;
        lineNo = line;
        lastNs = last;
    }

    /**
     * Parses one plain row in a single pass straight from the buffer and returns true; or returns false,
     * consuming nothing, for anything else (quotes, comments, symbolic pointers, empty required fields, any
     * error, a line not yet wholly in the buffer), which the general path then handles and reports.
     */
    private boolean fastRow(EventBatch batch) {
        final byte[] b = buf;
        final int lim = limit;
        int p = pos;
        if (p >= lim) {
            return false;
        }
        byte op = -1;
        byte domain = Domain.OBJ;
        long ptr = EventBatch.NO_PTR;
        long newPtr = EventBatch.NO_PTR;
        long size = -1;
        long ns = -1;
        int labelFrom = 0;
        int labelTo = 0;
        int site = SiteTable.NONE;
        for (int f = 0; f < nColumns; f++) {
            int start = p;
            switch (fastRoles[f]) {
                case OP -> {
                    while (p < lim && b[p] >= 'a' && b[p] <= 'z' || p < lim && b[p] == '_') {
                        p++;
                    }
                    op = CsvSpellings.parseOp(b, start, p);
                    if (op < 0) {
                        return false;
                    }
                }
                case PTR, NEW_PTR -> {
                    long v;
                    if (b[p] == '0' && b[p + 1] == 'x') {
                        p += 2;
                        long x = Swar.word(b, p);
                        int n = Swar.leading(Swar.hexBytes(x));
                        if (n == 0) {
                            return false;
                        }
                        v = Swar.hexValue(x, n);
                        p += n;
                        if (n == 8) {
                            long x2 = Swar.word(b, p);
                            int n2 = Swar.leading(Swar.hexBytes(x2));
                            if (n2 == 8) {
                                return false;  // 16 digits or more: bit 63 may be set (see PointerIds)
                            }
                            if (n2 > 0) {
                                v = (v << (n2 << 2)) | Swar.hexValue(x2, n2);
                                p += n2;
                            }
                        }
                    } else if (p < lim && b[p] != ',' && b[p] != '\n' && b[p] != '\r') {
                        return false;  // decimal or symbolic pointers take the general path
                    } else {
                        v = EventBatch.NO_PTR;
                    }
                    if (fastRoles[f] == PTR) {
                        ptr = v;
                    } else {
                        newPtr = v;
                    }
                }
                case SIZE, NS -> {
                    long x = Swar.word(b, p);
                    int n = Swar.leading(Swar.digitBytes(x));
                    long v = n == 0 ? 0 : Swar.decimalValue(x, n);
                    p += n;
                    if (n == 8) {
                        long x2 = Swar.word(b, p);
                        int n2 = Swar.leading(Swar.digitBytes(x2));
                        if (n2 == 8) {
                            return false;  // 16 digits or more: the general path checks for overflow
                        }
                        if (n2 > 0) {
                            v = v * Swar.pow10(n2) + Swar.decimalValue(x2, n2);
                            p += n2;
                        }
                    }
                    if (p > start) {
                        if (fastRoles[f] == SIZE) {
                            size = v;
                        } else {
                            ns = v;
                        }
                    }
                }
                case DOMAIN -> {
                    while (p < lim && b[p] >= 'a' && b[p] <= 'z') {
                        p++;
                    }
                    domain = CsvSpellings.parseDomain(b, start, p);
                    if (domain < 0) {
                        return false;
                    }
                }
                case SITE -> {
                    long x = Swar.word(b, p);
                    int n = Swar.leading(Swar.digitBytes(x));
                    if (n == 8) {
                        return false;  // 8 digits or more: the general path checks the range
                    }
                    if (n > 0) {
                        site = (int) Swar.decimalValue(x, n);
                        p += n;
                        if (site == 0) {
                            return false;
                        }
                    }
                }
                default -> {  // label, or a column we ignore
                    while (p < lim && b[p] != ',' && b[p] != '\n' && b[p] != '\r') {
                        if (b[p] == '"') {
                            return false;
                        }
                        p++;
                    }
                    if (fastRoles[f] == LABEL) {
                        labelFrom = start;
                        labelTo = p;
                    }
                }
            }
            if (p >= lim) {
                return false;  // the line is not wholly in the buffer
            }
            byte c = b[p];
            if (c == ',') {
                if (f == nColumns - 1) {
                    return false;  // too many fields
                }
                p++;
            } else if (c == '\n' || c == '\r') {
                break;  // rows may stop early: the fields left are empty
            } else {
                return false;
            }
        }
        return commit(batch, b, p, lim, op, domain, ptr, newPtr, size, ns, labelFrom, labelTo, site);
    }

    /**
     * The end of both fast paths: checks that the row ends at {@code p} and obeys the rules parseRow checks
     * (required fields, ns not going backwards), then stores it. Returns false, consuming nothing, otherwise.
     */
    private boolean commit(EventBatch batch, byte[] b, int p, int lim, byte op, byte domain, long ptr, long newPtr,
            long size, long ns, int labelFrom, int labelTo, int site) {
        if (p >= lim) {
            return false;
        }
        if (b[p] == '\r') {
            if (p + 1 >= lim || b[p + 1] != '\n') {
                return false;
            }
            p++;
        }
        if (b[p] != '\n' || op < 0) {
            return false;
        }
        // Required fields and event rules, as parseRow checks them; anything off goes the general way.
        if (ns >= 0) {
            if (ns < lastNs) {
                return false;
            }
        } else if (roleToField[NS] >= 0) {
            if (lastNs == Long.MIN_VALUE && detached) {
                return false;  // the time comes from a row before the chunk
            }
            ns = lastNs == Long.MIN_VALUE ? EventBatch.NO_NS : lastNs;
        }
        String label = null;
        switch (op) {
            case Op.ALLOC, Op.CALLOC, Op.ARENA_ALLOC -> {
                if (ptr == EventBatch.NO_PTR || size < 0) {
                    return false;
                }
            }
            case Op.FREE -> {
                if (ptr == EventBatch.NO_PTR) {
                    return false;
                }
                size = 0;
            }
            case Op.ARENA_FREE -> {
                if (ptr == EventBatch.NO_PTR) {
                    return false;
                }
                size = Math.max(size, 0);  // the arena's size, when the row gives it (recorders do)
            }
            case Op.REALLOC -> {
                if (ptr == EventBatch.NO_PTR || size < 0) {
                    return false;
                }
                if (newPtr == EventBatch.NO_PTR) {
                    newPtr = ptr;
                }
            }
            case Op.MARK -> {
                if (labelTo == labelFrom || labelTo - labelFrom > CsvGeneralRows.MAX_LABEL) {
                    return false;
                }
                label = new String(b, labelFrom, labelTo - labelFrom, StandardCharsets.UTF_8);
                size = 0;
                ptr = EventBatch.NO_PTR;
            }
            default -> {
                return false;
            }
        }
        if (ns != EventBatch.NO_NS) {
            lastNs = ns;
        }
        lineNo++;
        pos = p + 1;
        int i = batch.count++;
        batch.op[i] = op;
        batch.domain[i] = domain;
        batch.ptr[i] = ptr;
        batch.newPtr[i] = op == Op.REALLOC ? newPtr : EventBatch.NO_PTR;
        batch.size[i] = size;
        batch.ns[i] = ns;
        batch.line[i] = lineNo;
        batch.site[i] = site;
        if (label != null) {
            batch.label[i] = label;  // read only for marks: no reference store on every row
        }
        return true;
    }

    /** Returns four ASCII characters as a little-endian int, as {@link Swar#word} reads them. */
    private static int ascii4(String s) {
        return s.charAt(0) | s.charAt(1) << 8 | s.charAt(2) << 16 | s.charAt(3) << 24;
    }
}
