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
import pyalloc.report.chart.ChartedSnapshot;
import pyalloc.report.chart.Charts;
import pyalloc.report.chart.UnknownSnapshotException;
import pyalloc.report.chart.CompareChart;
import pyalloc.report.csv.CompareCsv;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.report.csv.TimelineCsv;

/** {@code pyalloc chart}: redraws a report's PNG charts from its CSV files, without replaying. */
@Command(name = "chart", mixinStandardHelpOptions = true,
        description = "Redraws footprint.png, classes.png, arenas.png, arenas-over-time.png and"
                + " classes-over-time.png of a report folder from its CSV files (after editing them, or after a run"
                + " with --no-charts); of a comparison folder, every configuration's charts and compare.png.",
        footerHeading = "%nExample:%n",
        footer = "  pyalloc chart reports/cache-3.12")
public final class ChartCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REPORT_DIR",
            description = "A folder written by 'pyalloc replay', or by 'pyalloc compare'.")
    Path dir;

    @Option(names = "--title", paramLabel = "NAME", description = "Name in the chart titles (default: the folder's name).")
    String title;

    @Option(names = "--snapshot", paramLabel = "LABEL",
            description = "The snapshot classes.png and arenas.png show: a mark's label, peak or end (default: exit"
                    + " when the trace has that mark, else peak).")
    String snapshot;

    @Override
    public Integer call() throws IOException {
        String name = title != null ? title : dir.toAbsolutePath().getFileName().toString();
        if (Files.isRegularFile(dir.resolve(CompareCsv.FILE))) {
            // A comparison folder: every configuration's report, then compare.png from them.
            for (CSVRecord c : csv(dir.resolve(CompareCsv.FILE))) {
                String id = c.get("profile");
                check(dir.resolve(id));
                Charts.draw(dir.resolve(id), name + " (" + id + ")", snapshot(dir.resolve(id)));
            }
            CompareChart.named(dir, name).render();
            return ExitCode.OK;
        }
        check(dir);
        Charts.draw(dir, name, snapshot(dir));
        return ExitCode.OK;
    }

    /** Returns the snapshot --snapshot names in {@code report}, or the default; an unknown label is a usage error. */
    private ChartedSnapshot snapshot(Path report) throws IOException {
        try {
            return ChartedSnapshot.choose(report, snapshot, true);
        } catch (UnknownSnapshotException e) {
            throw new PyallocException(ExitCode.USAGE, report + ": " + e.getMessage());
        }
    }

    private static void check(Path report) {
        for (String f : new String[] {TimelineCsv.FILE, SnapshotCsv.MARKS, SnapshotCsv.CLASSES, SnapshotCsv.ARENAS}) {
            if (!Files.isRegularFile(report.resolve(f))) {
                throw new PyallocException(ExitCode.IO, report + ": no " + f + " (not a pyalloc report folder?)");
            }
        }
    }

    private static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }
}
