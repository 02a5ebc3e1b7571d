package pyalloc.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pyalloc.replay.HeapExhaustedException;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFormatException;
import pyalloc.report.chart.ChartedSnapshot;
import pyalloc.report.chart.Charts;
import pyalloc.report.chart.UnknownSnapshotException;
import pyalloc.report.chart.CompareChart;
import pyalloc.report.csv.CompareCsv;
import pyalloc.report.csv.ReportCsvCheck;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.report.csv.TimelineCsv;
import pyalloc.report.findings.Findings;
import pyalloc.report.html.HtmlPage;
import pyalloc.trace.TraceSource;

/**
 * {@code pyalloc chart}: redraws a report's PNG charts, its findings and its page from its CSV files, without
 * replaying.
 */
@Command(name = "chart", mixinStandardHelpOptions = true,
        description = "Redraws the charts (footprint.png, classes.png, arenas.png, arenas-over-time.png,"
                + " classes-over-time.png, and their .svg), findings.csv and index.html of a report folder from its CSV"
                + " files (after editing them, or after a run with --no-charts); of a comparison folder, every"
                + " configuration's and compare.png.",
        footerHeading = "%nExample:%n",
        footer = "  pyalloc chart reports/cache-3.12")
public final class ChartCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REPORT_DIR",
            description = "A folder written by 'pyalloc replay', or by 'pyalloc compare'.")
    Path dir;

    @Option(names = "--title", paramLabel = "NAME", description = "Name in the chart titles (default: as replay named it, the trace and the profile in"
                    + " summary.csv).")
    String title;

    @Option(names = "--snapshot", paramLabel = "LABEL",
            description = "The snapshot classes.png and arenas.png show: a mark's label, peak or end (default: exit"
                    + " when the trace has that mark, else peak).")
    String snapshot;

    @Override
    public Integer call() throws IOException {
        try {
            return redrawAll();
        } catch (OutOfMemoryError e) {
            throw new HeapExhaustedException(dir + ": the charts, findings and page of this report");
        }
    }

    private int redrawAll() throws IOException {
        String name = title != null ? title : dir.toAbsolutePath().getFileName().toString();
        if (Files.isRegularFile(dir.resolve(CompareCsv.FILE))) {
            ReportCsvCheck.check(dir.resolve(CompareCsv.FILE), CompareCsv.COLUMNS);
            // A comparison folder: every configuration's report, then compare.png from them.
            for (CSVRecord c : csv(dir.resolve(CompareCsv.FILE))) {
                String id = c.get("profile");
                if (id.isEmpty() || id.contains("/") || id.contains("\0") || id.equals(".") || id.equals("..")) {
                    // compare.csv names folders of this comparison: never one elsewhere, to draw into
                    throw new ReportFormatException(dir.resolve(CompareCsv.FILE).toString(),
                            c.getRecordNumber() + 1, "profile \"" + id + "\" names no configuration's folder here");
                }
                check(dir.resolve(id));
                redraw(dir.resolve(id), title != null ? title + " (" + id + ")" : title(ReportFiles.of(dir.resolve(id))));
            }
            CompareChart.named(dir, name).render();
            Findings.write(dir);
            HtmlPage.write(dir, name, null);
            return ExitCode.OK;
        }
        check(dir);
        redraw(dir, title != null ? title : title(ReportFiles.of(dir)));
        return ExitCode.OK;
    }

    /** Redraws one report folder: its charts, its findings, its page. */
    private void redraw(Path report, String name) throws IOException {
        ChartedSnapshot at = snapshot(report);
        Charts.draw(report, name, at);
        Findings.write(report);
        HtmlPage.write(report, name, at);
    }

    /**
     * Returns the name replay gave the report: the trace's stem and the profile, from summary.csv ({@code
     * cache-3.12 (cpython-3.12)}); the folder's name when summary.csv does not say.
     */
    static String title(ReportFiles report) {
        ReportFiles.Row s = report.summary();
        if (s == null || s.get("trace").isEmpty() || s.get("profile").isEmpty()) {
            return report.dir().toAbsolutePath().getFileName().toString();
        }
        return TraceSource.of(s.get("trace")).stem() + " (" + s.get("profile") + ")";
    }

    /** Returns the snapshot --snapshot names in {@code report}, or the default; an unknown label is a usage error. */
    private ChartedSnapshot snapshot(Path report) throws IOException {
        try {
            return ChartedSnapshot.choose(report, snapshot, true);
        } catch (UnknownSnapshotException e) {
            throw new PyallocException(ExitCode.USAGE, report + ": " + e.getMessage());
        }
    }

    /** Checks that {@code report} is a report whose CSV files are as replay writes them (see ReportCsvCheck). */
    private static void check(Path report) throws IOException {
        for (String f : new String[] {TimelineCsv.FILE, SnapshotCsv.MARKS, SnapshotCsv.CLASSES, SnapshotCsv.ARENAS}) {
            if (!Files.isRegularFile(report.resolve(f))) {
                throw new PyallocException(ExitCode.IO, report + ": no " + f + " (not a pyalloc report folder?)");
            }
        }
        ReportCsvCheck.check(report);
    }

    private static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }
}
