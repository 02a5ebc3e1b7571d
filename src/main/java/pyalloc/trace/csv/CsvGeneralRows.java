package pyalloc.trace.csv;

import static pyalloc.trace.csv.CsvColumns.DOMAIN;
import static pyalloc.trace.csv.CsvColumns.LABEL;
import static pyalloc.trace.csv.CsvColumns.NEW_PTR;
import static pyalloc.trace.csv.CsvColumns.NS;
import static pyalloc.trace.csv.CsvColumns.OP;
import static pyalloc.trace.csv.CsvColumns.PTR;
import static pyalloc.trace.csv.CsvColumns.SITE;
import static pyalloc.trace.csv.CsvColumns.SIZE;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;
import pyalloc.trace.PointerIds;
import pyalloc.trace.SiteTable;
import pyalloc.trace.TraceFormatException;

/**
 * The general path of the CSV reader: any row the straight-line parsers decline (quotes, decimal and symbolic
 * pointers, empty fields, and every malformed row), parsed field by field with an error that names the line
 * and quotes the offending text. Rows here are rare in recorded traces, so clarity wins over speed.
 */
final class CsvGeneralRows {

    /** The lines after a row, for a quoted field that spans lines. */
    @FunctionalInterface
    interface Lines {
        /** Returns the next line without its line end, or null at the end of the trace. */
        String next() throws IOException;
    }

    /** The longest mark label, in bytes (recorders write 1 to 200 characters). */
    static final int MAX_LABEL = 1024;
    private final String file;
    private final CsvColumns columns;
    private final PointerIds pointerIds = new PointerIds();
    private final int[] fieldStart = new int[CsvColumns.MAX_COLUMNS];
    private final int[] fieldEnd = new int[CsvColumns.MAX_COLUMNS];
    /** Fields of a quoted row, re-encoded after Commons CSV parsed them. */
    private byte[] slowBuf = new byte[256];
    /** The time of the last row that had one: rows must not go back in time. Shared with the reader's fast paths. */
    long lastNs = Long.MIN_VALUE;
    /** What the trace wrote for the last {@link #pointer}, when its id is not its value; else null. */
    private String written;

    CsvGeneralRows(String file, CsvColumns columns) {
        this.file = file;
        this.columns = columns;
    }

    /** Splits a row at commas into fieldStart/fieldEnd; returns false when it holds a quote. */
    boolean split(byte[] b, int from, int to, long rowLine) {
        int f = 0;
        int start = from;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == ',') {
                if (f == columns.count - 1) {
                    throw tooManyFields(b, from, to, rowLine);
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
        for (; f < columns.count; f++) {  // rows may stop early: missing trailing fields are empty
            fieldStart[f] = to;
            fieldEnd[f] = to;
        }
        return true;
    }

    private TraceFormatException tooManyFields(byte[] b, int from, int to, long rowLine) {
        int n = 1;
        for (int i = from; i < to; i++) {
            if (b[i] == ',') {
                n++;
            }
        }
        return new TraceFormatException(file, rowLine, "row has " + n + " fields but the header has " + columns.count
                + " columns");
    }

    /** A row with quotes: let Commons CSV parse it (joining lines while a quoted field stays open). */
    void parseQuotedRow(byte[] buf, int from, int to, EventBatch batch, long rowLine, Lines lines)
            throws IOException {
        StringBuilder text = new StringBuilder(new String(buf, from, to - from, StandardCharsets.UTF_8));
        while (endsInsideQuotes(text)) {
            String next = lines.next();
            if (next == null) {
                throw new TraceFormatException(file, rowLine, "quoted field is never closed");
            }
            text.append('\n').append(next);
        }
        List<String> fields;
        try (CSVParser p = CSVParser.parse(new StringReader(text.toString()), CSVFormat.RFC4180)) {
            fields = p.iterator().next().toList();
        } catch (IOException | RuntimeException e) {
            throw new TraceFormatException(file, rowLine, "row " + TraceFormatException.quote(text.toString())
                    + " is not valid CSV (a quote inside an unquoted field?)");
        }
        if (fields.size() > columns.count) {
            throw new TraceFormatException(file, rowLine, "row has " + fields.size()
                    + " fields but the header has " + columns.count + " columns");
        }
        int at = 0;
        for (int f = 0; f < columns.count; f++) {
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
        int f = columns.roleToField[role];
        return f < 0 ? 0 : fieldStart[f];
    }

    private int end(int role) {
        int f = columns.roleToField[role];
        return f < 0 ? 0 : fieldEnd[f];
    }

    void parseRow(byte[] b, EventBatch batch, long rowLine) {
        byte op = CsvSpellings.parseOp(b, start(OP), end(OP));
        if (op < 0) {
            String what = start(OP) == end(OP) ? "op is missing" : "unknown op " + TraceFormatException.quote(b, start(OP), end(OP));
            throw new TraceFormatException(file, rowLine, what + " (expected " + CsvSpellings.EXPECTED + ")");
        }
        byte domain = CsvSpellings.parseDomain(b, start(DOMAIN), end(DOMAIN));
        if (domain < 0) {
            throw new TraceFormatException(file, rowLine, "domain " + TraceFormatException.quote(b, start(DOMAIN),
                    end(DOMAIN)) + " is not obj, mem or raw");
        }
        long ns = EventBatch.NO_NS;
        if (columns.roleToField[NS] >= 0 && start(NS) < end(NS)) {
            ns = parseUnsigned(b, start(NS), end(NS), "ns", "a non-negative integer", rowLine);
            if (ns < lastNs) {
                throw new TraceFormatException(file, rowLine, "ns " + TraceFormatException.quote(b, start(NS), end(NS))
                        + " goes backwards (an earlier row has " + lastNs + ")");
            }
            lastNs = ns;
        } else if (columns.roleToField[NS] >= 0 && lastNs != Long.MIN_VALUE) {
            ns = lastNs;
        }
        long ptr = EventBatch.NO_PTR;
        long newPtr = EventBatch.NO_PTR;
        long size = 0;
        String label = null;
        String ptrText = null;
        String newPtrText = null;
        int site = SiteTable.NONE;
        if (columns.roleToField[SITE] >= 0 && start(SITE) < end(SITE)) {
            site = positiveInt(b, start(SITE), end(SITE), "site", rowLine);
        }
        // Each row is checked whole before its pointers are read: a token is bound or released only by a row
        // that is replayed (with --lenient, a malformed row is skipped).
        switch (op) {
            case Op.ALLOC, Op.CALLOC, Op.ARENA_ALLOC -> {
                size = requireSize(b, op, rowLine);
                ptr = requirePtr(b, PTR, op, rowLine);
                ptrText = written;
            }
            case Op.FREE -> {
                if (start(PTR) == end(PTR)) {
                    return;  // free(NULL) is a no-op
                }
                ptr = pointer(b, start(PTR), end(PTR), true);
                ptrText = written;
            }
            case Op.REALLOC -> {
                size = requireSize(b, op, rowLine);
                boolean hasNew = columns.roleToField[NEW_PTR] >= 0 && start(NEW_PTR) < end(NEW_PTR);
                if (start(PTR) == end(PTR)) {
                    if (!hasNew) {
                        throw new TraceFormatException(file, rowLine, "realloc has neither ptr nor new_ptr");
                    }
                    op = Op.ALLOC;  // realloc(NULL, n) is malloc(n)
                    ptr = pointer(b, start(NEW_PTR), end(NEW_PTR), false);
                    ptrText = written;
                } else {
                    boolean moved = hasNew && !sameBytes(b, start(PTR), end(PTR), start(NEW_PTR), end(NEW_PTR));
                    ptr = pointer(b, start(PTR), end(PTR), moved);
                    ptrText = written;
                    newPtr = ptr;
                    newPtrText = ptrText;
                    if (moved) {
                        newPtr = pointer(b, start(NEW_PTR), end(NEW_PTR), false);
                        newPtrText = written;
                    }
                }
            }
            case Op.ARENA_FREE -> {
                if (columns.roleToField[SIZE] >= 0 && start(SIZE) < end(SIZE)) {  // optional: the arena's size
                    size = parseUnsigned(b, start(SIZE), end(SIZE), "size", "a non-negative integer", rowLine);
                }
                ptr = requirePtr(b, PTR, op, rowLine);
                ptrText = written;
            }
            case Op.MARK -> {
                if (columns.roleToField[LABEL] < 0 || start(LABEL) == end(LABEL)) {
                    throw new TraceFormatException(file, rowLine, "mark has no label");
                }
                if (end(LABEL) - start(LABEL) > MAX_LABEL) {
                    // A label is copied into every row of classes.csv and arenas.csv at its mark: a 10 MB one
                    // made a 480 MB report.
                    throw new TraceFormatException(file, rowLine, "mark label is " + (end(LABEL) - start(LABEL))
                            + " bytes long; at most " + MAX_LABEL + " are allowed");
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
        if (ptrText != null || newPtrText != null) {
            batch.written(i, ptr, ptrText, newPtr, newPtrText);
        }
        batch.site[i] = site;
    }

    /** Returns a positive int field (an id), or reports it. */
    private int positiveInt(byte[] b, int from, int to, String what, long rowLine) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || v > Integer.MAX_VALUE) {
                v = -1;
                break;
            }
            v = v * 10 + d;
        }
        if (v <= 0 || v > Integer.MAX_VALUE) {
            throw new TraceFormatException(file, rowLine, what + " " + TraceFormatException.quote(b, from, to)
                    + " is not a positive integer up to " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    private static final byte[] FRAME_PREFIX = "#frame,".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SITE_PREFIX = "#site,".getBytes(StandardCharsets.US_ASCII);

    /** Returns true when the line {@code b[from, to)} is a #frame or #site definition (docs/trace-format.md). */
    static boolean isDefinition(byte[] b, int from, int to) {
        return startsWith(b, from, to, FRAME_PREFIX) || startsWith(b, from, to, SITE_PREFIX);
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        return to - from >= prefix.length && Arrays.equals(b, from, from + prefix.length, prefix, 0, prefix.length);
    }

    /**
     * Reads a {@code #frame,ID,FILE,LINE,FUNCTION} or {@code #site,ID,FRAME,CALLER} line (joined with the lines
     * after it while a quoted field stays open) into {@code sites}.
     */
    void define(byte[] buf, int from, int to, long rowLine, Lines lines, SiteTable sites) throws IOException {
        StringBuilder text = new StringBuilder(new String(buf, from + 1, to - from - 1, StandardCharsets.UTF_8));
        while (endsInsideQuotes(text)) {
            String next = lines.next();
            if (next == null) {
                throw new TraceFormatException(file, rowLine, "quoted field is never closed");
            }
            text.append('\n').append(next);
        }
        List<String> f;
        try (CSVParser p = CSVParser.parse(new StringReader(text.toString()), CSVFormat.RFC4180)) {
            f = p.iterator().next().toList();
        } catch (IOException | RuntimeException e) {
            throw new TraceFormatException(file, rowLine, "definition " + TraceFormatException.quote("#" + text)
                    + " is not valid CSV (a quote inside an unquoted field?)");
        }
        boolean frame = f.get(0).equals("frame");
        String shape = frame ? "#frame,ID,FILE,LINE,FUNCTION" : "#site,ID,FRAME,CALLER";
        if (f.size() != (frame ? 5 : 4)) {
            throw new TraceFormatException(file, rowLine, "definition " + TraceFormatException.quote("#" + text)
                    + " has " + f.size() + " fields (expected " + shape + ")");
        }
        int id = id(f.get(1), "id", shape, rowLine, false);
        boolean fresh;
        if (frame) {
            int line = f.get(3).isEmpty() ? 0 : id(f.get(3), "line", shape, rowLine, true);
            fresh = sites.defineFrame(id, new SiteTable.Frame(f.get(2), line, f.get(4)));
        } else {
            int caller = f.get(3).isEmpty() ? SiteTable.NONE : id(f.get(3), "caller", shape, rowLine, false);
            fresh = sites.defineSite(id, id(f.get(2), "frame", shape, rowLine, false), caller);
        }
        if (!fresh) {
            throw new TraceFormatException(file, rowLine, (frame ? "frame " : "site ") + id
                    + " is defined a second time");
        }
    }

    /** Returns a definition's id (or line, when {@code zeroOk}), or reports the field. */
    private int id(String field, String what, String shape, long rowLine, boolean zeroOk) {
        if (field.matches("\\d{1,10}")) {
            long v = Long.parseLong(field);
            if (v <= Integer.MAX_VALUE && (v > 0 || zeroOk)) {
                return (int) v;
            }
        }
        throw new TraceFormatException(file, rowLine, what + " " + TraceFormatException.quote(field) + " is not a "
                + (zeroOk ? "non-negative" : "positive") + " integer up to " + Integer.MAX_VALUE + " (expected "
                + shape + ")");
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
        if (columns.roleToField[SIZE] < 0 || start(SIZE) == end(SIZE)) {
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
     * Returns the id of a pointer field: its value for a hex ({@code 0x7f..}, up to 16 significant digits) or
     * decimal (up to 2^64 - 1) number, the value itself in the lower half of the address space and, in the
     * upper half, as {@link PointerIds} gives it; else an id standing for the symbolic token until it is
     * released. Sets {@link #written} to the token (null for a pointer that is its own id).
     */
    private long pointer(byte[] b, int from, int to, boolean releasing) {
        written = null;
        if (number(b, from, to)) {
            if (value >= 0) {
                return value;  // what the fast paths give
            }
            long id = pointerIds.id(value, releasing);
            if (id != value) {
                written = new String(b, from, to - from, StandardCharsets.UTF_8);
            }
            return id;
        }
        written = new String(b, from, to - from, StandardCharsets.UTF_8);
        return pointerIds.id(written, releasing);
    }

    /** The value of the last field {@link #number} took for a number. */
    private long value;

    /** Returns true when the field is an unsigned 64-bit hex or decimal number, and leaves it in {@link #value}. */
    private boolean number(byte[] b, int from, int to) {
        long v = 0;
        if (to - from > 2 && b[from] == '0' && (b[from + 1] == 'x' || b[from + 1] == 'X')) {
            int i = from + 2;
            while (i < to - 1 && b[i] == '0') {
                i++;  // leading zeros are not digits that count
            }
            if (to - i > 16) {
                return false;
            }
            for (; i < to; i++) {
                int d = Character.digit(b[i], 16);
                if (d < 0) {
                    return false;
                }
                v = (v << 4) | d;
            }
        } else {
            if (to == from || to - from > 20) {
                return false;
            }
            for (int i = from; i < to; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9 || Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                    return false;  // not a digit, or more than 2^64 - 1: a token
                }
                v = v * 10 + d;
            }
        }
        value = v;
        return true;
    }
}
