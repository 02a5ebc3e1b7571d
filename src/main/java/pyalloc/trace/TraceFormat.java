package pyalloc.trace;

import java.io.IOException;
import pyalloc.trace.csv.CsvTraceReader;

/** The trace formats pyalloc reads, one line each. */
public enum TraceFormat {
    /** Format 1: CSV with a header (shared/docs/trace-format.md), plain or gzip. */
    CSV;

    /** Returns a reader of {@code source} in this format. */
    public TraceReader open(TraceSource source, boolean lenient) throws IOException {
        return new CsvTraceReader(source.name(), source.open(), lenient);
    }

    /** Returns the format of a source; only format 1 exists so far. */
    public static TraceFormat detect(TraceSource source) {
        return CSV;
    }
}
