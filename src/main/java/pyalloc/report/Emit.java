package pyalloc.report;

import java.io.IOException;
import java.io.PrintWriter;
import pyalloc.report.csv.CsvTable;
import pyalloc.report.csv.SummaryCsv;
import pyalloc.report.text.DebugMallocStatsText;
import pyalloc.report.text.SummaryText;
import pyalloc.stats.RunResult;

/** What a replay prints on standard output, one line each. */
public enum Emit {
    /** The one-screen summary: snapshots, peaks, fragmentation, arenas, anomalies. */
    summary {
        @Override
        public ReportSink sink(PrintWriter out, double pinnedBelow, String report, boolean first) {
            if (!first) {
                out.println();  // one blank line between the summaries of several traces
            }
            return new SummaryText(out, pinnedBelow, report);
        }
    },
    /** CPython's own {@code _PyObject_DebugMallocStats} layout at every mark and at the end. */
    debugmallocstats {
        @Override
        public ReportSink sink(PrintWriter out, double pinnedBelow, String report, boolean first) {
            return new DebugMallocStatsText(out);
        }
    },
    /** The run's row of summary.csv, under its header for the first run only: rows of many runs make one table. */
    csv {
        @Override
        public ReportSink sink(PrintWriter out, double pinnedBelow, String report, boolean first) {
            return new ReportSink() {
                @Override
                public void onEnd(RunResult result) throws IOException {
                    CsvTable rows = CsvTable.to(out, SummaryCsv.COLUMNS, first);
                    rows.row(SummaryCsv.row(result));
                    rows.flush();
                    StandardOutput.check(out);
                }
            };
        }
    },
    /** Nothing. */
    none {
        @Override
        public ReportSink sink(PrintWriter out, double pinnedBelow, String report, boolean first) {
            return new ReportSink() { };
        }
    };

    /**
     * Returns the sink that prints this to {@code out}; {@code report} names the report folder written (null:
     * none), {@code pinnedBelow} is the pinned-arena threshold (0..1), {@code first} tells whether this is the
     * first run printed to {@code out} (a header, or no separator).
     */
    public abstract ReportSink sink(PrintWriter out, double pinnedBelow, String report, boolean first);

    /** Returns the sink for the only run printed to {@code out}. */
    public ReportSink sink(PrintWriter out, double pinnedBelow, String report) {
        return sink(out, pinnedBelow, report, true);
    }
}
