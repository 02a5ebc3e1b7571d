package pyalloc.trace;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.ZipException;
import pyalloc.trace.csv.CsvTraceReader;

/**
 * The trace formats pyalloc reads, one line each: how to recognise one by its first bytes, and how to open it.
 * A trace is recognised by content, whatever its name, after {@link TraceSource} has unwrapped gzip.
 */
public enum TraceFormat {
    /** Format 1: CSV with a header (docs/trace-format.md). Text has no magic number, so it is tried last. */
    CSV(1, CsvTraceReader::sniff, CsvTraceReader::open);

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

    private final int version;
    private final Sniffer sniffer;
    private final Opener opener;

    TraceFormat(int version, Sniffer sniffer, Opener opener) {
        this.version = version;
        this.sniffer = sniffer;
        this.opener = opener;
    }

    /** Returns the format's number in docs/trace-format.md. */
    public int version() {
        return version;
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
