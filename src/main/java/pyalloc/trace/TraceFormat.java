package pyalloc.trace;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.util.zip.ZipException;
import pyalloc.trace.binary.BinaryTraceReader;
import pyalloc.trace.binary.BinaryTraceWriter;
import pyalloc.trace.csv.CsvTraceReader;
import pyalloc.trace.csv.CsvTraceWriter;

/**
 * The trace formats pyalloc reads and writes, one line each: the name a written trace gets, how to recognise one
 * by its first bytes, how to open it, how to write one. A trace is recognised by content, whatever its name, after
 * {@link TraceSource} has unwrapped gzip; formats are tried in the order of the lines.
 */
public enum TraceFormat {
    /** Format 2: binary, blocks of events (docs/trace-format.md). */
    BINARY(2, ".pyat", BinaryTraceReader::sniff, BinaryTraceReader::open, BinaryTraceWriter::new),
    /** Format 1: CSV with a header (docs/trace-format.md). Text has no magic number, so it is tried last. */
    CSV(1, ".csv", CsvTraceReader::sniff, CsvTraceReader::open, CsvTraceWriter::new);

    /** How many leading bytes {@link #sniff} looks at. */
    public static final int HEAD = 16;

    /** Tells a format by the first bytes of a trace. */
    @FunctionalInterface
    interface Sniffer {
        /** Returns true when {@code head[0, n)} (n may be less than {@link #HEAD} for a short trace) is this format. */
        boolean matches(byte[] head, int n);
    }

    /** Opens a reader over a stream positioned at the trace's first byte. */
    @FunctionalInterface
    interface Opener {
        /**
         * Returns a reader of {@code in}; with {@code concurrent}, one that parses on a second thread as well
         * (the replay's), else one that parses on the caller's thread (tools, tests).
         */
        TraceReader open(String name, InputStream in, boolean lenient, boolean concurrent) throws IOException;
    }

    /** Starts writing a trace. */
    @FunctionalInterface
    interface Writer {
        /**
         * Returns a writer of a trace with {@code header} onto {@code out}; with {@code sites} (the reader's
         * {@link TraceReader#sites()}, or null for none), events carry their call sites and the writer defines each
         * frame and site before the first event that names it; {@code compress} asks for the format's compression
         * (CSV: gzip; binary: zstd blocks).
         */
        TraceWriter open(OutputStream out, TraceHeader header, SiteTable sites, boolean compress) throws IOException;
    }

    private final int version;
    private final String extension;
    private final Sniffer sniffer;
    private final Opener opener;
    private final Writer writer;

    TraceFormat(int version, String extension, Sniffer sniffer, Opener opener, Writer writer) {
        this.version = version;
        this.extension = extension;
        this.sniffer = sniffer;
        this.opener = opener;
        this.writer = writer;
    }

    /** Returns the format's number in docs/trace-format.md. */
    public int version() {
        return version;
    }

    /** Returns the file name ending of a trace in this format ({@code .pyat}, {@code .csv}). */
    public String extension() {
        return extension;
    }

    /** Returns a writer of a trace in this format, without call sites; see {@link Writer#open}. */
    public TraceWriter writer(OutputStream out, TraceHeader header, boolean compress) throws IOException {
        return writer.open(out, header, null, compress);
    }

    /** Returns a writer of a trace in this format with {@code sites} (null: none); see {@link Writer#open}. */
    public TraceWriter writer(OutputStream out, TraceHeader header, SiteTable sites, boolean compress)
            throws IOException {
        return writer.open(out, header, sites, compress);
    }

    /** Returns a writer of the trace {@code from} reads, in this format, keeping its header and call sites. */
    public TraceWriter writer(OutputStream out, TraceReader from, boolean compress) throws IOException {
        return writer.open(out, from.header(), from.sites().orElse(null), compress);
    }

    /**
     * Returns the format a file named {@code fileName} is written in, by its ending ({@code .gz} after it asks for
     * gzip, which only CSV takes), or null when the name tells none.
     */
    public static TraceFormat byName(String fileName) {
        boolean gzip = fileName.endsWith(".gz");
        String name = gzip ? fileName.substring(0, fileName.length() - 3) : fileName;
        for (TraceFormat f : values()) {
            if (name.endsWith(f.extension) && (!gzip || f == CSV)) {
                return f;
            }
        }
        return null;
    }

    /** Returns the format whose first bytes these are; CSV when no other format claims them. */
    public static TraceFormat sniff(byte[] head, int n) {
        for (TraceFormat f : values()) {
            if (f.sniffer.matches(head, n)) {
                return f;
            }
        }
        return CSV;
    }

    /** Opens a trace in whatever format its content is; see {@link Opener#open} for {@code concurrent}. */
    public static TraceReader open(TraceSource source, boolean lenient, boolean concurrent) throws IOException {
        InputStream raw = concurrent ? source.openDirect() : source.open();
        try {
            PushbackInputStream in = new PushbackInputStream(raw, HEAD);
            byte[] head;
            try {
                head = in.readNBytes(HEAD);
            } catch (EOFException | ZipException e) {
                throw TraceFormatException.brokenGzip(source.name(), 0, e);
            }
            in.unread(head);
            return sniff(head, head.length).opener.open(source.name(), in, lenient, concurrent);
        } catch (IOException | RuntimeException | Error e) {
            raw.close();
            throw e;
        }
    }
}
