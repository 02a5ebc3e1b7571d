package pyalloc.replay;

import java.util.List;
import pyalloc.report.ComparisonSink;
import pyalloc.report.ReportSink;
import pyalloc.report.chart.Charts;
import pyalloc.report.csv.ArenasOverTimeCsv;
import pyalloc.report.csv.ClassesOverTimeCsv;
import pyalloc.report.chart.CompareChart;
import pyalloc.report.csv.CompareCsv;
import pyalloc.report.csv.SitesCsv;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.report.csv.SummaryCsv;
import pyalloc.report.csv.TimelineCsv;
import pyalloc.report.findings.Findings;
import pyalloc.report.html.HtmlPage;

/**
 * The outputs of a report folder, one line each, in the order they finish: the charts read the CSV files
 * written before them. A new output is one class implementing {@link ReportSink} (or {@link ComparisonSink}, for a
 * comparison) and one line here.
 */
public final class Outputs {
    /**
     * marks.csv, classes.csv, arenas.csv; sites.csv, arena_sites.csv, site_timeline.csv (traces with call sites);
     * timeline.csv; arenas-over-time.csv; classes-over-time.csv; summary.csv, anomalies.csv; findings.csv; the
     * charts; index.html.
     */
    static final List<ReportSink.Factory> REPORT = List.of(
            SnapshotCsv::new,
            SitesCsv::new,
            TimelineCsv::new,
            ArenasOverTimeCsv::new,
            ClassesOverTimeCsv::new,
            SummaryCsv::new,
            Findings::new,
            Charts::new,
            HtmlPage::new);

    /**
     * The outputs of a comparison folder, besides each configuration's report (made by {@link #REPORT}), in the
     * order they finish: compare.csv; compare.png, drawn from it and the reports' timeline.csv; findings.csv;
     * index.html.
     */
    static final List<ComparisonSink.Factory> COMPARISON = List.of(
            CompareCsv::new,
            CompareChart::sink,
            Findings::comparison,
            HtmlPage::comparison);

    private Outputs() {
    }
}
