package pyalloc.replay;

import java.util.List;
import pyalloc.report.ReportSink;
import pyalloc.report.chart.Charts;
import pyalloc.report.csv.ArenasOverTimeCsv;
import pyalloc.report.csv.ClassesOverTimeCsv;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.report.csv.SummaryCsv;
import pyalloc.report.csv.TimelineCsv;

/**
 * The outputs of a report folder, one line each, in the order they finish: the charts read the CSV files
 * written before them. A new output is one class implementing {@link ReportSink} and one line here.
 */
public final class Outputs {
    /**
     * marks.csv, classes.csv, arenas.csv; timeline.csv; arenas-over-time.csv; classes-over-time.csv; summary.csv,
     * anomalies.csv; the PNG charts.
     */
    static final List<ReportSink.Factory> REPORT = List.of(
            SnapshotCsv::new,
            TimelineCsv::new,
            ArenasOverTimeCsv::new,
            ClassesOverTimeCsv::new,
            SummaryCsv::new,
            Charts::new);

    private Outputs() {
    }
}
