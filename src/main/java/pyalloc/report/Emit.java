package pyalloc.report;

import java.io.PrintWriter;
import pyalloc.report.text.DebugMallocStatsText;
import pyalloc.report.text.SummaryText;

/** What a replay prints on standard output, one line each. */
public enum Emit {
    /** The one-screen summary: snapshots, peaks, fragmentation, arenas, anomalies. */
    summary {
        @Override
        public ReportSink sink(PrintWriter out, double pinnedBelow, String report) {
            return new SummaryText(out, pinnedBelow, report);
        }
    },
    /** CPython's own {@code _PyObject_DebugMallocStats} layout at every mark and at the end. */
    debugmallocstats {
        @Override
        public ReportSink sink(PrintWriter out, double pinnedBelow, String report) {
            return new DebugMallocStatsText(out);
        }
    },
    /** Nothing. */
    none {
        @Override
        public ReportSink sink(PrintWriter out, double pinnedBelow, String report) {
            return new ReportSink() { };
        }
    };

    /**
     * Returns the sink that prints this to {@code out}; {@code report} names the report folder written (null:
     * none), {@code pinnedBelow} is the pinned-arena threshold (0..1).
     */
    public abstract ReportSink sink(PrintWriter out, double pinnedBelow, String report);
}
