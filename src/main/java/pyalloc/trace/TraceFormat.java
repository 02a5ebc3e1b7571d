package pyalloc.trace;

import java.io.IOException;
import pyalloc.trace.csv.CsvTraceReader;
import pyalloc.trace.csv.ParallelCsvReader;

/** The trace formats pyalloc reads, one line each. */
public enum TraceFormat {
    /** Format 1: CSV with a header (shared/docs/trace-format.md), plain or gzip. */
    CSV;

    /** Returns a reader of {@code source} in this format. */
    public TraceReader open(TraceSource source, boolean lenient) throws IOException {
        return new CsvTraceReader(source.name(), source.open(), lenient);
    }

    /**
     * Returns a reader of {@code source} that parses on a second thread as well: the two cores share the
     * parsing of a recorder's trace, and any other trace is parsed ahead on the second one.
     */
    public TraceReader openConcurrent(TraceSource source, boolean lenient) throws IOException {
        return ParallelCsvReader.open(source.name(), source.openDirect(), lenient);
    }

    /** Returns the format of a source; only format 1 exists so far. */
    public static TraceFormat detect(TraceSource source) {
        return CSV;
    }
}
