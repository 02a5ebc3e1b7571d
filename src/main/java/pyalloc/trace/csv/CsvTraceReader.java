package pyalloc.trace.csv;

import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import pyalloc.trace.Domain;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;
import pyalloc.trace.TraceFormatException;
import pyalloc.trace.InOrderReader;
import pyalloc.trace.TraceHeader;
import pyalloc.trace.TraceReader;

/**
 * Reads trace format 1 (shared/docs/trace-format.md).
 *
 * <p>Plain rows, the whole of a captured trace, are split and parsed straight from the byte buffer, with no
 * String or object per row: that is what lets a replay run at tens of millions of events per second. A row
 * that holds a quote, and the header, go through Apache Commons CSV, so quoting follows RFC 4180 exactly.
 */
public final class CsvTraceReader implements InOrderReader {
    private static final String[] COLUMNS = {"op", "ptr", "size", "new_ptr", "domain", "ns", "label"};
    private static final int OP = 0;
    private static final int PTR = 1;
    private static final int SIZE = 2;
    private static final int NEW_PTR = 3;
    private static final int DOMAIN = 4;
    private static final int NS = 5;
    private static final int LABEL = 6;
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
    /** For each trace column, which of {@link #COLUMNS} it is, or -1 for an ignored column. */
    private int[] columnRole;
    private int nColumns;
    private final int[] roleToField = new int[COLUMNS.length];
    /** columnRole for the fast path: the role of each field, {@link #IGNORED} for unknown columns. */
    private int[] fastRoles = new int[0];
    private static final int IGNORED = 7;
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
    /** True when the header is exactly op,ptr,size,new_ptr,domain,ns,label: {@link #fillCanonical} applies. */
    private boolean canonical;
    private final int[] fieldStart = new int[64];
    private final int[] fieldEnd = new int[64];
    private long lastNs = Long.MIN_VALUE;

    /** Symbolic pointer tokens ({@code obj17}) and the ids standing for them while they name a live object. */
    private final Object2LongOpenHashMap<String> tokenIds = new Object2LongOpenHashMap<>();
    private long nextTokenId = EventBatch.NO_PTR + 1;

    private long skipped;
    private long generalPathRows;
    private final List<String> skippedExamples = new ArrayList<>();
    /** Fields of a quoted row, re-encoded after Commons CSV parsed them. */
    private byte[] slowBuf = new byte[256];
    private final EventBatch batch = new EventBatch(1 << 14);

    public CsvTraceReader(String file, InputStream in, boolean lenient) throws IOException {
        this.file = file;
        this.in = in;
        this.lenient = lenient;
        this.detached = false;
        this.buf = new byte[(1 << 20) + SLACK];
        tokenIds.defaultReturnValue(EventBatch.NO_PTR);
        readHeader();
        this.header = CsvHeaderComments.parse(headerComments, hasTime());
    }

    /** Returns true for any trace: CSV is text and has no magic number ({@link pyalloc.trace.TraceFormat}). */
    public static boolean sniff(byte[] head, int n) {
        return true;
    }

    /**
     * Opens a CSV trace: with {@code concurrent}, parsed on both cores ({@link ParallelCsvReader}), else on the
     * caller's thread.
     */
    public static TraceReader open(String file, InputStream in, boolean lenient, boolean concurrent)
            throws IOException {
        return concurrent ? ParallelCsvReader.open(file, in, lenient) : new CsvTraceReader(file, in, lenient);
    }

    /** A parser of detached chunks with the header of {@code header} (see {@link #chunkParser}). */
    private CsvTraceReader(CsvTraceReader header) {
        this.file = header.file;
        this.in = null;
        this.lenient = header.lenient;
        this.detached = true;
        this.columnRole = header.columnRole;
        this.nColumns = header.nColumns;
        System.arraycopy(header.roleToField, 0, roleToField, 0, roleToField.length);
        this.fastRoles = header.fastRoles;
        this.canonical = header.canonical;
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
        } catch (EOFException e) {
            throw new TraceFormatException(file, 0, "gzip stream is cut short after line " + lineNo);
        } catch (ZipException e) {
            throw new TraceFormatException(file, 0, "gzip stream is corrupt after line " + lineNo + " ("
                    + e.getMessage() + ")");
        }
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    private static int trimCr(byte[] b, int from, int end) {
        return end > from && b[end - 1] == '\r' ? end - 1 : end;
    }

    private void readHeader() throws IOException {
        int end;
        while ((end = nextLine()) >= 0) {
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
            parseHeader(text);
            return;
        }
        throw new TraceFormatException(file, 0, "is empty: no header line (expected e.g. op,ptr,size)");
    }

    private void parseHeader(String text) {
        List<String> names;
        try (CSVParser p = CSVParser.parse(new StringReader(text), CSVFormat.RFC4180)) {
            CSVRecord r = p.iterator().next();
            names = r.toList();
        } catch (IOException | RuntimeException e) {
            throw new TraceFormatException(file, lineNo, "header " + TraceFormatException.quote(text)
                    + " is not a CSV line");
        }
        if (names.size() > fieldStart.length) {
            throw new TraceFormatException(file, lineNo, "header has " + names.size() + " columns; at most "
                    + fieldStart.length + " are supported");
        }
        nColumns = names.size();
        columnRole = new int[nColumns];
        Arrays.fill(roleToField, -1);
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < nColumns; i++) {
            String name = names.get(i).trim().toLowerCase(Locale.ROOT);
            int role = Arrays.asList(COLUMNS).indexOf(name);
            columnRole[i] = role;
            if (role < 0) {
                unknown.add(names.get(i));
            } else if (roleToField[role] >= 0) {
                throw new TraceFormatException(file, lineNo, "header names column \"" + name + "\" twice");
            } else {
                roleToField[role] = i;
            }
        }
        if (roleToField[OP] < 0 || roleToField[PTR] < 0) {
            throw new TraceFormatException(file, lineNo, "header " + TraceFormatException.quote(text)
                    + " has no \"" + (roleToField[OP] < 0 ? "op" : "ptr")
                    + "\" column (expected e.g. op,ptr,size,new_ptr,domain,ns,label)");
        }
        canonical = names.stream().map(n -> n.trim().toLowerCase(Locale.ROOT)).toList().equals(List.of(COLUMNS));
        fastRoles = new int[nColumns];
        for (int i = 0; i < nColumns; i++) {
            fastRoles[i] = columnRole[i] < 0 ? IGNORED : columnRole[i];
        }
        if (!unknown.isEmpty()) {
            warnings.add(file + ":" + lineNo + ": ignoring unknown column" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown));
        }
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
            if (to == from || buf[from] == '#') {
                continue;
            }
            long rowLine = lineNo;
            generalPathRows++;
            try {
                if (split(buf, from, to)) {
                    parseRow(buf, batch, rowLine);
                } else {
                    parseQuotedRow(from, to, batch, rowLine);
                }
            } catch (TraceFormatException e) {
                if (!lenient) {
                    throw e;
                }
                skipped++;
                if (skippedExamples.size() < MAX_EXAMPLES) {
                    skippedExamples.add(e.getMessage());
                }
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
            byte op = Op.fromWord(x, n);
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
                if (ptr == EventBatch.NO_PTR) {
                    break;  // not hex, or 0x8000000000000000: the general path decides
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
                if (newPtr == EventBatch.NO_PTR) {
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
            // label (ignored: marks take the general path), then the end of the row
            if (b[p] == ',') {
                ++p;
                while (p < lim && b[p] != '\n' && b[p] != '\r') {
                    if (b[p] == '"' || b[p] == ',') {
                        break rows;
                    }
                    p++;
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
                    break rows;  // Op.fromWord gives none other
                }
            }
            ops[count] = op;
            domains[count] = domain;
            ptrs[count] = ptr;
            newPtrs[count] = newPtr;
            sizes[count] = size;
            times[count] = ns;
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
        for (int f = 0; f < nColumns; f++) {
            int start = p;
            switch (fastRoles[f]) {
                case OP -> {
                    while (p < lim && b[p] >= 'a' && b[p] <= 'z' || p < lim && b[p] == '_') {
                        p++;
                    }
                    op = Op.parse(b, start, p);
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
                                return false;  // more than 16 digits
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
                    domain = Domain.parse(b, start, p);
                    if (domain < 0) {
                        return false;
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
        return commit(batch, b, p, lim, op, domain, ptr, newPtr, size, ns, labelFrom, labelTo);
    }

    /**
     * The end of both fast paths: checks that the row ends at {@code p} and obeys the rules parseRow checks
     * (required fields, ns not going backwards), then stores it. Returns false, consuming nothing, otherwise.
     */
    private boolean commit(EventBatch batch, byte[] b, int p, int lim, byte op, byte domain, long ptr, long newPtr,
            long size, long ns, int labelFrom, int labelTo) {
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
            case Op.FREE, Op.ARENA_FREE -> {
                if (ptr == EventBatch.NO_PTR) {
                    return false;
                }
                size = 0;
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
                if (labelTo == labelFrom) {
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
        if (label != null) {
            batch.label[i] = label;  // read only for marks: no reference store on every row
        }
        return true;
    }

    /** Splits a row at commas into fieldStart/fieldEnd; returns false when it holds a quote. */
    private boolean split(byte[] b, int from, int to) {
        int f = 0;
        int start = from;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == ',') {
                if (f == nColumns - 1) {
                    throw tooManyFields(b, from, to);
                }
                fieldStart[f] = start;
                fieldEnd[f++] = i;
                start = i + 1;
            } else if (c == '"') {
                return false;
            }
        }
        fieldStart[f] = start;
        fieldEnd[f++] = to;
        for (; f < nColumns; f++) {  // rows may stop early: missing trailing fields are empty
            fieldStart[f] = to;
            fieldEnd[f] = to;
        }
        return true;
    }

    private TraceFormatException tooManyFields(byte[] b, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) {
            if (b[i] == ',') {
                n++;
            }
        }
        return new TraceFormatException(file, lineNo, "row has " + n + " fields but the header has " + nColumns
                + " columns");
    }

    /** A row with quotes: let Commons CSV parse it (joining lines while a quoted field stays open). */
    private void parseQuotedRow(int from, int to, EventBatch batch, long rowLine) throws IOException {
        StringBuilder text = new StringBuilder(new String(buf, from, to - from, StandardCharsets.UTF_8));
        while (endsInsideQuotes(text)) {
            int end = nextLine();
            if (end < 0) {
                throw new TraceFormatException(file, rowLine, "quoted field is never closed");
            }
            text.append('\n').append(new String(buf, pos, trimCr(buf, pos, end) - pos, StandardCharsets.UTF_8));
            pos = Math.min(end + 1, limit);
        }
        List<String> fields;
        try (CSVParser p = CSVParser.parse(new StringReader(text.toString()), CSVFormat.RFC4180)) {
            fields = p.iterator().next().toList();
        } catch (IOException | RuntimeException e) {
            throw new TraceFormatException(file, rowLine, "row " + TraceFormatException.quote(text.toString())
                    + " is not valid CSV (a quote inside an unquoted field?)");
        }
        if (fields.size() > nColumns) {
            throw new TraceFormatException(file, rowLine, "row has " + fields.size()
                    + " fields but the header has " + nColumns + " columns");
        }
        int at = 0;
        for (int f = 0; f < nColumns; f++) {
            byte[] v = f < fields.size() ? fields.get(f).getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (slowBuf.length < at + v.length) {
                slowBuf = Arrays.copyOf(slowBuf, Math.max(slowBuf.length * 2, at + v.length));
            }
            System.arraycopy(v, 0, slowBuf, at, v.length);
            fieldStart[f] = at;
            fieldEnd[f] = at + v.length;
            at += v.length;
        }
        parseRow(slowBuf, batch, rowLine);
    }

    /**
     * Returns true when the row ends inside a quoted field (RFC 4180: a field is quoted only when it starts
     * with a quote; a quote in the middle of an unquoted field is a literal character).
     */
    static boolean endsInsideQuotes(CharSequence s) {
        boolean fieldStart = true;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        i++;  // an escaped quote
                    } else {
                        quoted = false;
                    }
                }
            } else if (c == '"' && fieldStart) {
                quoted = true;
            }
            if (!quoted) {
                fieldStart = c == ',';
            } else {
                fieldStart = false;
            }
        }
        return quoted;
    }

    private int start(int role) {
        int f = roleToField[role];
        return f < 0 ? 0 : fieldStart[f];
    }

    private int end(int role) {
        int f = roleToField[role];
        return f < 0 ? 0 : fieldEnd[f];
    }

    private void parseRow(byte[] b, EventBatch batch, long rowLine) {
        byte op = Op.parse(b, start(OP), end(OP));
        if (op < 0) {
            String what = start(OP) == end(OP) ? "op is missing" : "unknown op " + TraceFormatException.quote(b, start(OP), end(OP));
            throw new TraceFormatException(file, rowLine, what + " (expected " + Op.EXPECTED + ")");
        }
        byte domain = Domain.parse(b, start(DOMAIN), end(DOMAIN));
        if (domain < 0) {
            throw new TraceFormatException(file, rowLine, "domain " + TraceFormatException.quote(b, start(DOMAIN),
                    end(DOMAIN)) + " is not obj, mem or raw");
        }
        long ns = EventBatch.NO_NS;
        if (roleToField[NS] >= 0 && start(NS) < end(NS)) {
            ns = parseUnsigned(b, start(NS), end(NS), "ns", "a non-negative integer", rowLine);
            if (ns < lastNs) {
                throw new TraceFormatException(file, rowLine, "ns " + TraceFormatException.quote(b, start(NS), end(NS))
                        + " goes backwards (an earlier row has " + lastNs + ")");
            }
            lastNs = ns;
        } else if (roleToField[NS] >= 0 && lastNs != Long.MIN_VALUE) {
            ns = lastNs;
        }
        long ptr = EventBatch.NO_PTR;
        long newPtr = EventBatch.NO_PTR;
        long size = 0;
        String label = null;
        switch (op) {
            case Op.ALLOC, Op.CALLOC -> {
                ptr = requirePtr(b, PTR, op, rowLine);
                size = requireSize(b, op, rowLine);
            }
            case Op.FREE -> {
                if (start(PTR) == end(PTR)) {
                    return;  // free(NULL) is a no-op
                }
                ptr = pointer(b, start(PTR), end(PTR), true);
            }
            case Op.REALLOC -> {
                size = requireSize(b, op, rowLine);
                boolean hasNew = roleToField[NEW_PTR] >= 0 && start(NEW_PTR) < end(NEW_PTR);
                if (start(PTR) == end(PTR)) {
                    if (!hasNew) {
                        throw new TraceFormatException(file, rowLine, "realloc has neither ptr nor new_ptr");
                    }
                    op = Op.ALLOC;  // realloc(NULL, n) is malloc(n)
                    ptr = pointer(b, start(NEW_PTR), end(NEW_PTR), false);
                } else {
                    boolean moved = hasNew && !sameBytes(b, start(PTR), end(PTR), start(NEW_PTR), end(NEW_PTR));
                    ptr = pointer(b, start(PTR), end(PTR), moved);
                    newPtr = moved ? pointer(b, start(NEW_PTR), end(NEW_PTR), false) : ptr;
                }
            }
            case Op.ARENA_ALLOC -> {
                ptr = requirePtr(b, PTR, op, rowLine);
                size = requireSize(b, op, rowLine);
            }
            case Op.ARENA_FREE -> ptr = requirePtr(b, PTR, op, rowLine);
            case Op.MARK -> {
                if (roleToField[LABEL] < 0 || start(LABEL) == end(LABEL)) {
                    throw new TraceFormatException(file, rowLine, "mark has no label");
                }
                label = new String(b, start(LABEL), end(LABEL) - start(LABEL), StandardCharsets.UTF_8);
            }
            default -> throw new IllegalStateException("op " + op);
        }
        int i = batch.count++;
        batch.op[i] = op;
        batch.domain[i] = domain;
        batch.ptr[i] = ptr;
        batch.newPtr[i] = newPtr;
        batch.size[i] = size;
        batch.ns[i] = ns;
        batch.line[i] = rowLine;
        batch.label[i] = label;
    }

    /** Returns four ASCII characters as a little-endian int, as {@link Swar#word} reads them. */
    private static int ascii4(String s) {
        return s.charAt(0) | s.charAt(1) << 8 | s.charAt(2) << 16 | s.charAt(3) << 24;
    }

    private static boolean sameBytes(byte[] b, int f1, int t1, int f2, int t2) {
        return Arrays.equals(b, f1, t1, b, f2, t2);
    }

    private long requirePtr(byte[] b, int role, byte op, long rowLine) {
        if (start(role) == end(role)) {
            throw new TraceFormatException(file, rowLine, "ptr is missing (" + Op.name(op) + " needs one)");
        }
        return pointer(b, start(role), end(role), false);
    }

    private long requireSize(byte[] b, byte op, long rowLine) {
        if (roleToField[SIZE] < 0 || start(SIZE) == end(SIZE)) {
            throw new TraceFormatException(file, rowLine, "size is missing (" + Op.name(op) + " needs one)");
        }
        return parseUnsigned(b, start(SIZE), end(SIZE), "size", "a non-negative integer", rowLine);
    }

    private long parseUnsigned(byte[] b, int from, int to, String column, String expected, long rowLine) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw new TraceFormatException(file, rowLine, column + " " + TraceFormatException.quote(b, from, to)
                        + " is not " + expected);
            }
            if (i - from >= 18 && v > (Long.MAX_VALUE - d) / 10) {  // only 19+ digits can overflow
                throw new TraceFormatException(file, rowLine, column + " " + TraceFormatException.quote(b, from, to)
                        + " is too large (the largest request CPython accepts is PY_SSIZE_T_MAX, "
                        + Long.MAX_VALUE + ")");
            }
            v = v * 10 + d;
        }
        return v;
    }

    /**
     * Returns the id of a pointer token: its value for hex ({@code 0x7f..}) and decimal pointers, else an id
     * standing for the symbolic token until it is released.
     */
    private long pointer(byte[] b, int from, int to, boolean releasing) {
        int n = to - from;
        if (n > 2 && b[from] == '0' && (b[from + 1] == 'x' || b[from + 1] == 'X') && n <= 18) {
            long v = 0;
            int i = from + 2;
            for (; i < to; i++) {
                int c = b[i];
                int d;
                if (c >= '0' && c <= '9') {
                    d = c - '0';
                } else if (c >= 'a' && c <= 'f') {
                    d = c - 'a' + 10;
                } else if (c >= 'A' && c <= 'F') {
                    d = c - 'A' + 10;
                } else {
                    break;
                }
                v = (v << 4) | d;
            }
            if (i == to) {
                return v;
            }
        } else if (n > 0 && n <= 18) {
            long v = 0;
            int i = from;
            for (; i < to; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                v = v * 10 + d;
            }
            if (i == to) {
                return v;
            }
        }
        String token = new String(b, from, n, StandardCharsets.UTF_8);
        long id = releasing ? tokenIds.removeLong(token) : tokenIds.getLong(token);
        if (id == EventBatch.NO_PTR) {
            id = nextTokenId++;
            if (!releasing) {
                tokenIds.put(token, id);
            }
        }
        return id;
    }
}
