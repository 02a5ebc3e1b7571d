package pyalloc.trace.binary;

import static pyalloc.trace.binary.BinaryFormat.GAP;
import static pyalloc.trace.binary.BinaryFormat.LABEL;
import static pyalloc.trace.binary.BinaryFormat.NEW_PTR;
import static pyalloc.trace.binary.BinaryFormat.NS;
import static pyalloc.trace.binary.BinaryFormat.PTR;
import static pyalloc.trace.binary.BinaryFormat.SITE_ID;
import static pyalloc.trace.binary.BinaryFormat.SIZE;
import static pyalloc.trace.binary.BinaryFormat.STREAMS;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.ZipException;
import pyalloc.trace.EventBatch;
import pyalloc.trace.InOrderReader;
import pyalloc.trace.Op;
import pyalloc.trace.PrefetchingReader;
import pyalloc.trace.SiteTable;
import pyalloc.trace.TraceFormatException;
import pyalloc.trace.TraceHeader;
import pyalloc.trace.TraceReader;

/**
 * Reads trace format 2 (docs/trace-format.md) in one pass: the preamble and the header record when opened, then
 * block after block, each checked against its CRC, decompressed when it is compressed, and decoded stream by
 * stream into batches. Every problem names the file and the byte offset of the record it is in.
 *
 * <p>The event loop reads each varint as one little-endian word and finds its end with a mask (no branch per
 * byte, so pointer deltas of 1 to 4 bytes mispredict nothing); the data buffer keeps {@link #SLACK} bytes after
 * the block so that the word read near its end stays in bounds. Whether a stream was overrun is checked once a
 * batch, not once a field: a block that passed its checksum was written by a writer, and a writer's mistake is
 * caught before its batch is handed out.
 */
public final class BinaryTraceReader implements InOrderReader {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int SLACK = 16;
    private static final int MAX_EXAMPLES = 10;
    private static final String[] STREAM_NAMES = {"pointer", "size", "new pointer", "time", "label", "site", "line gap"};
    /** Tags a reader accepts: op 0-6, domain 0-2, the reserved bit clear. */
    private static final boolean[] VALID_TAG = new boolean[256];
    private static final boolean[] HAS_PTR = new boolean[8];
    private static final boolean[] HAS_SIZE = new boolean[8];

    static {
        for (int t = 0; t < 256; t++) {
            VALID_TAG[t] = (t & BinaryFormat.TAG_OP) <= Op.MARK && (t & BinaryFormat.TAG_RESERVED) == 0
                    && BinaryFormat.knownDomain((t & BinaryFormat.TAG_DOMAIN) >>> BinaryFormat.TAG_DOMAIN_SHIFT);
        }
        for (int op = 0; op <= Op.MARK; op++) {
            HAS_PTR[op] = BinaryFormat.hasPtr(op);
            HAS_SIZE[op] = BinaryFormat.hasSize(op);
        }
    }

    private final String file;
    private final InputStream in;
    private final boolean lenient;
    private final TraceHeader header;
    private final boolean hasTime;
    private final List<String> warnings = new ArrayList<>();
    /** What the end of the trace left out: read by the replaying thread once the reading thread has ended. */
    private final List<String> endWarnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> skippedExamples = new ArrayList<>();
    private long skipped;
    private final CRC32C crc = new CRC32C();
    private final EventBatch own = new EventBatch(1 << 14);
    /** The frame and site records read so far; null when the header's columns have no site ids. */
    private SiteTable sites;
    /** The site id of the event {@link #rare} read last. */
    private int rareSite;

    /** Bytes consumed from the stream. */
    private long offset;
    /** The current record: its kind, where it starts, its payload (and CRC) in {@link #record}. */
    private final byte[] head = new byte[BinaryFormat.RECORD_HEAD];
    private byte[] record = new byte[1 << 16];
    private int recordLength;
    private long recordOffset;
    private boolean ended;
    private boolean atEnd;
    private ZstdDecompressCtx zstd;

    // The block being decoded.
    private byte[] data = new byte[1 << 16];
    private long blockOffset;
    private long blocks;
    private int blockEvents;
    private int blockLeft;
    private int tagPos;
    private int tagEnd;
    private final int[] pos = new int[STREAMS];
    private final int[] end = new int[STREAMS];
    private long prevPtr;
    private long prevNs;
    /** The line of the last event handed out, in the whole trace. */
    private long line;
    private long events;

    public BinaryTraceReader(String file, InputStream in, boolean lenient) throws IOException {
        this.file = file;
        this.in = in;
        this.lenient = lenient;
        readPreamble();
        this.header = readHeader();
        this.hasTime = header.hasTime();
    }

    /** Returns true when the trace starts with format 2's magic number ({@link pyalloc.trace.TraceFormat}). */
    public static boolean sniff(byte[] head, int n) {
        return BinaryFormat.sniff(head, n);
    }

    /** Opens a format-2 trace: with {@code concurrent}, decoded on a thread of its own ahead of the replay. */
    public static TraceReader open(String file, InputStream in, boolean lenient, boolean concurrent)
            throws IOException {
        BinaryTraceReader reader;
        try {
            reader = new BinaryTraceReader(file, in, lenient);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return concurrent ? new PrefetchingReader(reader) : reader;
    }

    @Override
    public TraceHeader header() {
        return header;
    }

    @Override
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public List<String> endWarnings() {
        return endWarnings;
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

    @Override
    public EventBatch next() throws IOException {
        return fill(own) > 0 ? own : null;
    }

    @Override
    public void close() throws IOException {
        try {
            if (zstd != null) {
                zstd.close();
            }
        } finally {
            in.close();
        }
    }

    // ---------------------------------------------------------------- bytes and records

    private TraceFormatException problem(long at, String what) {
        return new TraceFormatException(file, 0, "byte " + at + ": " + what);
    }

    /** Reads up to {@code n} bytes; fewer only at the end of the stream. */
    private int read(byte[] b, int from, int n) throws IOException {
        int got = 0;
        try {
            while (got < n) {
                int r = in.read(b, from + got, n - got);
                if (r < 0) {
                    break;
                }
                got += r;
            }
        } catch (EOFException e) {
            throw new TraceFormatException(file, 0, "gzip stream is cut short after byte " + (offset + got)
                    + " of the trace");
        } catch (ZipException e) {
            throw new TraceFormatException(file, 0, "gzip stream is corrupt after byte " + (offset + got)
                    + " of the trace (" + e.getMessage() + ")");
        }
        offset += got;
        return got;
    }

    private void readPreamble() throws IOException {
        byte[] p = new byte[BinaryFormat.PREAMBLE];
        int n = read(p, 0, p.length);
        for (int i = 0; i < Math.min(n, BinaryFormat.MAGIC.length); i++) {
            if (p[i] != BinaryFormat.MAGIC[i]) {
                throw problem(i, "not a .pyat trace: its magic number is wrong (another kind of binary file, or a"
                        + " transfer that changed its line ends?)");
            }
        }
        if (n < p.length) {
            throw problem(n, "the trace is cut short in its preamble (" + n + " of " + p.length + " bytes)");
        }
        int version = (p[8] & 0xFF) | (p[9] & 0xFF) << 8;
        if (version != BinaryFormat.VERSION) {
            throw problem(8, "format version " + version + "; this pyalloc reads format " + BinaryFormat.VERSION
                    + (version > BinaryFormat.VERSION ? " (a newer pyalloc wrote it)" : ""));
        }
    }

    /**
     * Reads the next record into {@link #record}; returns its kind, or -1 at the end of the stream when it ends
     * between records. A record that is cut short or fails its checksum is a malformed trace.
     */
    private int nextRecord() throws IOException {
        recordOffset = offset;
        int n = read(head, 0, head.length);
        if (n == 0) {
            return -1;
        }
        if (n < head.length) {
            throw cutShort(n);
        }
        int kind = head[0] & 0xFF;
        if (!(kind >= 'A' && kind <= 'Z' || kind >= 'a' && kind <= 'z')) {
            throw problem(recordOffset, String.format("no record starts here (kind byte 0x%02x): the trace is"
                    + " corrupt", kind));
        }
        long length = RecordOutput.u32(head, 1) & 0xFFFFFFFFL;
        if (length > BinaryFormat.MAX_PAYLOAD) {
            throw problem(recordOffset, "record '" + (char) kind + "' claims " + length + " bytes (at most "
                    + BinaryFormat.MAX_PAYLOAD + "): the trace is corrupt");
        }
        int total = (int) length + BinaryFormat.RECORD_TAIL;
        if (record.length < total) {
            record = new byte[Math.max(total, record.length * 2)];
        }
        n = read(record, 0, total);
        if (n < total) {
            throw cutShort(head.length + n);
        }
        crc.reset();
        crc.update(head, 0, head.length);
        crc.update(record, 0, (int) length);
        if ((int) crc.getValue() != RecordOutput.u32(record, (int) length)) {
            throw problem(recordOffset, "record '" + (char) kind + "' fails its checksum: the trace is corrupt");
        }
        recordLength = (int) length;
        return kind;
    }

    private TraceFormatException cutShort(int got) {
        return problem(recordOffset, "the trace is cut short in a record (" + got + " bytes of it, then the end of"
                + " the file), after " + events + " events" + (lenient ? "" : "; --lenient takes those"));
    }

    private TraceHeader readHeader() throws IOException {
        int kind = nextRecord();
        if (kind != BinaryFormat.HEADER) {
            throw problem(BinaryFormat.PREAMBLE, kind < 0 ? "the trace ends before its header record"
                    : "the first record is '" + (char) kind + "', not the header 'H'");
        }
        ByteSource s = new ByteSource(record, 0, recordLength);
        try {
            long columns = s.varint("the header's columns");
            long unknown = columns & ~(BinaryFormat.COLUMN_TIME | BinaryFormat.COLUMN_SITE);
            if (unknown != 0) {
                throw new ByteSource.Malformed("the header names columns this pyalloc does not know (bits 0x"
                        + Long.toHexString(unknown) + "; a newer pyalloc wrote it?)");
            }
            String python = s.string("the python version");
            String executable = s.string("the executable");
            String platform = s.string("the platform");
            int n = (int) s.varint("the number of comments", recordLength);
            List<String> comments = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                comments.add(s.string("comment " + (i + 1)));
            }
            if ((columns & BinaryFormat.COLUMN_SITE) != 0) {
                sites = new SiteTable();
            }
            return new TraceHeader(BinaryFormat.VERSION, emptyToNull(python), emptyToNull(executable),
                    emptyToNull(platform), (columns & BinaryFormat.COLUMN_TIME) != 0, comments);
        } catch (ByteSource.Malformed e) {
            throw problem(recordOffset, "header record: " + e.getMessage());
        }
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    /** Reads a frame record (id, file, line, function): CSV's {@code #frame} line. */
    private void readFrame() {
        ByteSource s = new ByteSource(record, 0, recordLength);
        try {
            int id = id(s, "the frame's id", false);
            String frameFile = s.string("the frame's file");
            int frameLine = id(s, "the frame's line", true);
            String function = s.string("the frame's function");
            if (!siteTable("frame").defineFrame(id, new SiteTable.Frame(frameFile, frameLine, function))) {
                throw new ByteSource.Malformed("frame " + id + " is defined twice");
            }
        } catch (ByteSource.Malformed e) {
            throw problem(recordOffset, "frame record: " + e.getMessage());
        }
    }

    /** Reads a site record (id, frame, caller or 0): CSV's {@code #site} line. */
    private void readSite() {
        ByteSource s = new ByteSource(record, 0, recordLength);
        try {
            int id = id(s, "the site's id", false);
            int frame = id(s, "the site's frame", false);
            int caller = id(s, "the site's caller", true);
            if (!siteTable("site").defineSite(id, frame, caller)) {
                throw new ByteSource.Malformed("site " + id + " is defined twice");
            }
        } catch (ByteSource.Malformed e) {
            throw problem(recordOffset, "site record: " + e.getMessage());
        }
    }

    private SiteTable siteTable(String kind) throws ByteSource.Malformed {
        if (sites == null) {
            throw new ByteSource.Malformed("a " + kind + " record in a trace whose header's columns have no site"
                    + " ids");
        }
        return sites;
    }

    /** An id (from 1, or from 0 with {@code zeroOk}) up to 2147483647, as CSV's definitions take them. */
    private static int id(ByteSource s, String what, boolean zeroOk) throws ByteSource.Malformed {
        long v = s.varint(what);
        if (v < (zeroOk ? 0 : 1) || v > Integer.MAX_VALUE) {
            throw new ByteSource.Malformed(what + " " + Long.toUnsignedString(v) + " is not " + (zeroOk ? "0 or"
                    + " more" : "1 or more") + " and up to " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    /** Reads records up to the next block and makes it current; returns false at the end of the trace. */
    private boolean nextBlock() throws IOException {
        while (!atEnd) {
            int kind;
            try {
                kind = nextRecord();
            } catch (TraceFormatException e) {
                if (!lenient) {
                    throw e;
                }
                endWarnings.add(file + ": " + e.problem() + "; the rest of the trace is left out");
                atEnd = true;
                return false;
            }
            switch (kind) {
                case -1 -> {
                    atEnd = true;
                    if (!ended) {
                        endWarnings.add(file + ": byte " + offset + ": the trace ends without its end record: the"
                                + " recording stopped early (os._exit, a signal) or the file was cut; replayed its "
                                + events + " events");
                    }
                    return false;
                }
                case BinaryFormat.END -> {
                    ended = true;
                    int more = read(head, 0, 1);
                    if (more > 0) {
                        throw problem(offset - 1, "bytes follow the end record");
                    }
                    atEnd = true;
                    return false;
                }
                case BinaryFormat.HEADER -> throw problem(recordOffset, "a second header record");
                case BinaryFormat.FRAME -> readFrame();
                case BinaryFormat.SITE -> readSite();
                case BinaryFormat.BLOCK -> {
                    if (startBlock()) {
                        return true;
                    }
                }
                default -> {
                    if (kind >= 'A' && kind <= 'Z') {
                        throw problem(recordOffset, "record kind '" + (char) kind + "' is one this pyalloc does not"
                                + " know and may not skip (a newer pyalloc wrote it?)");
                    }
                    // a lower-case kind: optional, skipped
                }
            }
        }
        return false;
    }

    /** Decodes the block record's framing into {@link #data}; returns false for a block of no events. */
    private boolean startBlock() throws IOException {
        blockOffset = recordOffset;
        blocks++;
        ByteSource s = new ByteSource(record, 0, recordLength);
        int count;
        int rawLength;
        try {
            count = (int) s.varint("the block's event count", BinaryFormat.MAX_BLOCK_EVENTS);
            blockLeft = count;  // what --lenient counts as skipped if the rest is malformed
            int codec = (int) s.varint("the block's codec", Integer.MAX_VALUE);
            rawLength = (int) s.varint("the block's data length", BinaryFormat.MAX_PAYLOAD);
            int stored = recordLength - s.position();
            if (data.length < rawLength + SLACK) {
                data = new byte[Math.max(rawLength + SLACK, data.length * 2)];
            }
            if (codec == BinaryFormat.CODEC_NONE) {
                if (stored != rawLength) {
                    throw new ByteSource.Malformed("stored data of " + stored + " bytes, but its length says "
                            + rawLength);
                }
                System.arraycopy(record, s.position(), data, 0, rawLength);
            } else if (codec == BinaryFormat.CODEC_ZSTD) {
                if (zstd == null) {
                    zstd = BlockCodec.zstdDecoder();
                }
                int n;
                try {
                    n = zstd.decompressByteArray(data, 0, rawLength, record, s.position(), stored);
                } catch (ZstdException e) {
                    throw new ByteSource.Malformed("its zstd data does not decompress (" + e.getMessage() + ")");
                }
                if (n != rawLength) {
                    throw new ByteSource.Malformed("its zstd data decompress to " + n + " bytes, but its length"
                            + " says " + rawLength);
                }
            } else {
                throw new ByteSource.Malformed("unknown codec " + codec + " (0: none, 1: zstd)");
            }
            java.util.Arrays.fill(data, rawLength, rawLength + SLACK, (byte) 0);
            ByteSource d = new ByteSource(data, 0, rawLength);
            int at = 0;
            int[] lengths = new int[STREAMS];
            for (int k = 0; k < STREAMS; k++) {
                lengths[k] = (int) d.varint("the " + STREAM_NAMES[k] + " stream's length", rawLength);
            }
            tagPos = d.position();
            tagEnd = tagPos + count;
            at = tagEnd;
            for (int k = 0; k < STREAMS; k++) {
                pos[k] = at;
                at += lengths[k];
                end[k] = at;
            }
            if (tagEnd > rawLength || at != rawLength) {
                throw new ByteSource.Malformed(count + " tags and streams of " + (at - tagEnd) + " bytes do not"
                        + " fill its " + rawLength + " bytes of data");
            }
        } catch (ByteSource.Malformed e) {
            return badBlock(-1, e.getMessage());
        }
        blockEvents = count;
        blockLeft = count;
        prevPtr = 0;
        prevNs = EventBatch.NO_NS;
        return count > 0;
    }

    /** A block whose content is malformed: an error, or with --lenient its events skipped. */
    private boolean badBlock(int event, String what) {
        String where = "block " + blocks + (event >= 0 ? ", event " + (event + 1) : "") + ": " + what;
        if (!lenient) {
            throw problem(blockOffset, where);
        }
        skipped += blockLeft > 0 ? blockLeft : 0;
        blockLeft = 0;
        if (skippedExamples.size() < MAX_EXAMPLES) {
            skippedExamples.add(file + ": byte " + blockOffset + ": " + where);
        }
        return false;
    }

    // ---------------------------------------------------------------- events

    @Override
    public int fill(EventBatch batch) throws IOException {
        batch.count = 0;
        batch.lineBase = 0;
        while (batch.count < batch.capacity()) {
            if (blockLeft == 0 && !nextBlock()) {
                break;
            }
            int n = Math.min(blockLeft, batch.capacity() - batch.count);
            int first = blockEvents - blockLeft;
            int before = batch.count;
            try {
                decode(batch, n);
            } catch (ArrayIndexOutOfBoundsException e) {
                batch.count = before;  // a stream ran into another: every event of the batch is suspect
                badBlock(first, "a field runs past the block's data, or a varint past 64 bits");
                continue;
            } catch (BadEvent e) {
                int good = e.batchIndex - before;  // the events before it stay
                batch.count = e.batchIndex;
                blockLeft -= good;
                events += good;
                badBlock(first + good, e.getMessage());
                continue;
            }
            String overrun = overrun();
            if (overrun != null) {
                batch.count = before;
                badBlock(first, overrun);
                continue;
            }
            blockLeft -= n;
            events += n;
            if (blockLeft == 0) {
                String rest = leftOver();
                if (rest != null) {
                    batch.count = before;
                    events -= n;
                    blockLeft = n;
                    badBlock(first, rest);
                }
            }
        }
        return batch.count;
    }

    /** An event that breaks the format, met while decoding a batch. */
    private static final class BadEvent extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int batchStart;
        final int batchIndex;

        BadEvent(int batchStart, int batchIndex, String message) {
            super(message, null, false, false);
            this.batchStart = batchStart;
            this.batchIndex = batchIndex;
        }
    }

    private String overrun() {
        if (tagPos > tagEnd) {
            return "its tags run past their " + (tagEnd - tagPos) + " bytes";
        }
        for (int k = 0; k < STREAMS; k++) {
            if (pos[k] > end[k]) {
                return "its " + STREAM_NAMES[k] + " stream runs past its end";
            }
        }
        return null;
    }

    private String leftOver() {
        for (int k = 0; k < STREAMS; k++) {
            if (pos[k] != end[k]) {
                return "its " + STREAM_NAMES[k] + " stream has " + (end[k] - pos[k]) + " bytes its events do not use";
            }
        }
        return null;
    }

    /**
     * Decodes the next {@code n} events of the block into {@code b}. The hot loop of a binary replay's reading
     * thread: locals for every cursor, a table for what each op carries, one word read per varint.
     */
    private void decode(EventBatch b, int n) {
        final byte[] d = data;
        final byte[] ops = b.op;
        final byte[] domains = b.domain;
        final long[] ptrs = b.ptr;
        final long[] newPtrs = b.newPtr;
        final long[] sizes = b.size;
        final long[] times = b.ns;
        final long[] lines = b.line;
        final int[] siteIds = b.site;
        final boolean time = hasTime;
        final boolean withSites = sites != null;
        int t = tagPos;
        int pp = pos[PTR];
        int ps = pos[SIZE];
        int pn = pos[NEW_PTR];
        int pt = pos[NS];
        long ptr = prevPtr;
        long ns = prevNs;
        long ln = line;
        int start = b.count;
        int i = start;
        int stop = start + n;
        try {
            for (; i < stop; i++) {
                int tag = d[t++] & 0xFF;
                if (!VALID_TAG[tag]) {
                    throw badTag(start, i, tag);
                }
                int op = tag & BinaryFormat.TAG_OP;
                long p = EventBatch.NO_PTR;
                if (HAS_PTR[op]) {
                    long w = (long) LONG.get(d, pp);
                    long stops = ~w & 0x8080808080808080L;
                    if (stops == 0) {
                        pos[PTR] = pp;
                        ptr += longPointerDelta(PTR);
                        pp = pos[PTR];
                    } else {
                        int bits = Long.numberOfTrailingZeros(stops) + 1;
                        pp += bits >>> 3;
                        long x = compact(w & (-1L >>> (64 - bits)));
                        long z = x >>> 1;
                        // multiples of 16 are stored divided by 16 (flag bit 0 clear)
                        ptr += ((z >>> 1) ^ -(z & 1)) << ((~x & 1) << 2);
                    }
                    p = ptr;
                }
                long size = 0;
                if (HAS_SIZE[op]) {
                    long w = (long) LONG.get(d, ps);
                    long stops = ~w & 0x8080808080808080L;
                    if (stops == 0) {
                        pos[SIZE] = ps;
                        size = longVarint(SIZE);
                        ps = pos[SIZE];
                        if (size < 0) {
                            throw new BadEvent(start, i, "size " + Long.toUnsignedString(size) + " is larger than"
                                    + " CPython's PY_SSIZE_T_MAX");
                        }
                    } else {
                        int bits = Long.numberOfTrailingZeros(stops) + 1;
                        ps += bits >>> 3;
                        size = compact(w & (-1L >>> (64 - bits)));
                    }
                }
                long np = EventBatch.NO_PTR;
                if (op == Op.REALLOC) {
                    pos[NEW_PTR] = pn;
                    np = p + pointerDelta(NEW_PTR);
                    pn = pos[NEW_PTR];
                    ptr = np;
                }
                long when = EventBatch.NO_NS;
                if (time) {
                    long w = (long) LONG.get(d, pt);
                    long stops = ~w & 0x8080808080808080L;
                    long delta;
                    if (stops == 0) {
                        pos[NS] = pt;
                        delta = longVarint(NS);
                        pt = pos[NS];
                    } else {
                        int bits = Long.numberOfTrailingZeros(stops) + 1;
                        pt += bits >>> 3;
                        delta = compact(w & (-1L >>> (64 - bits)));
                    }
                    long next = ns + delta;
                    if (next < ns) {
                        throw new BadEvent(start, i, "its time overflows");
                    }
                    ns = next;
                    when = ns;
                }
                int site = SiteTable.NONE;
                if (tag >= BinaryFormat.TAG_SITE) {
                    ln += rare(b, i, start, op, tag);
                    site = rareSite;
                } else if (op == Op.MARK) {
                    b.label[i] = label(start, i);
                }
                if (withSites) {
                    siteIds[i] = site;
                }
                ops[i] = (byte) op;
                domains[i] = (byte) ((tag & BinaryFormat.TAG_DOMAIN) >>> BinaryFormat.TAG_DOMAIN_SHIFT);
                ptrs[i] = p;
                newPtrs[i] = np;
                sizes[i] = size;
                times[i] = when;
                lines[i] = ++ln;
            }
        } finally {
            tagPos = t;
            pos[PTR] = pp;
            pos[SIZE] = ps;
            pos[NEW_PTR] = pn;
            pos[NS] = pt;
            prevPtr = ptr;
            prevNs = ns;
            line = ln;
            b.count = i;
        }
    }

    /** The fields few events have: a label, a site id, a line gap; returns the gap. */
    private long rare(EventBatch b, int i, int start, int op, int tag) {
        if (op == Op.MARK) {
            b.label[i] = label(start, i);
        }
        rareSite = SiteTable.NONE;
        if ((tag & BinaryFormat.TAG_SITE) != 0) {
            long site = varint(SITE_ID);
            if (sites == null) {
                throw new BadEvent(start, i, "it carries a site id, but the header's columns have none");
            }
            if (site < 1 || site > Integer.MAX_VALUE) {
                throw new BadEvent(start, i, "site id " + Long.toUnsignedString(site) + " is not from 1 to "
                        + Integer.MAX_VALUE);
            }
            // A site no record defines is read as CSV reads one: the report names it "(not defined)".
            rareSite = (int) site;
        }
        if ((tag & BinaryFormat.TAG_GAP) != 0) {
            long gap = varint(GAP);
            if (gap < 0 || gap > Long.MAX_VALUE / 2) {
                throw new BadEvent(start, i, "line gap " + Long.toUnsignedString(gap) + " is out of range");
            }
            return gap;
        }
        return 0;
    }

    private String label(int start, int i) {
        long n = varint(LABEL);
        int p = pos[LABEL];
        if (n == 0) {
            throw new BadEvent(start, i, "a mark without a label");
        }
        if (n < 0 || n > end[LABEL] - p) {
            throw new BadEvent(start, i, "a label runs past its stream");
        }
        pos[LABEL] = p + (int) n;
        return new String(data, p, (int) n, StandardCharsets.UTF_8);
    }

    private static BadEvent badTag(int start, int i, int tag) {
        String why = (tag & BinaryFormat.TAG_OP) > Op.MARK ? "op " + (tag & BinaryFormat.TAG_OP) + " is unknown"
                : (tag & BinaryFormat.TAG_RESERVED) != 0 ? "its reserved bit is set"
                : "domain " + ((tag & BinaryFormat.TAG_DOMAIN) >>> BinaryFormat.TAG_DOMAIN_SHIFT) + " is unknown";
        return new BadEvent(start, i, String.format("tag 0x%02x: %s", tag, why));
    }

    /** Packs the 7-bit groups of up to 8 varint bytes (continuation bits still set) into one number. */
    private static long compact(long w) {
        long x = w & 0x7F7F7F7F7F7F7F7FL;
        x = (x & 0x007F007F007F007FL) | ((x & 0x7F007F007F007F00L) >>> 1);
        x = (x & 0x00003FFF00003FFFL) | ((x & 0x3FFF00003FFF0000L) >>> 2);
        return (x & 0x000000000FFFFFFFL) | ((x & 0x0FFFFFFF00000000L) >>> 4);
    }

    /** A varint at {@code pos[k]} of any length, one byte at a time. */
    private long varint(int k) {
        int p = pos[k];
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = data[p++];
            if (shift == 63 && (x & 0x7E) != 0 || shift > 63) {
                throw new ArrayIndexOutOfBoundsException("varint longer than 64 bits");
            }
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                break;
            }
        }
        pos[k] = p;
        return v;
    }

    /** A varint of 9 or 10 bytes (the word read found no last byte among its first 8). */
    private long longVarint(int k) {
        return varint(k);
    }

    /**
     * A pointer delta at {@code pos[k]}: the varint of zigzag(d / 16) * 2, or of zigzag(d) * 2 + 1 when d is no
     * multiple of 16, which may take 65 bits (its 10th byte then holds 2 bits).
     */
    private long pointerDelta(int k) {
        int p = pos[k];
        long v = 0;
        long top = 0;
        for (int shift = 0; ; shift += 7) {
            int x = data[p++];
            if (shift == 63) {
                if ((x & 0x7C) != 0 || x < 0) {
                    throw new ArrayIndexOutOfBoundsException("varint longer than 65 bits");
                }
                top = x >>> 1;
            }
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                break;
            }
        }
        pos[k] = p;
        long z = v >>> 1 | top << 63;
        long d = (z >>> 1) ^ -(z & 1);
        return (v & 1) == 0 ? d << BinaryFormat.ALIGN_SHIFT : d;
    }

    private long longPointerDelta(int k) {
        return pointerDelta(k);
    }
}
