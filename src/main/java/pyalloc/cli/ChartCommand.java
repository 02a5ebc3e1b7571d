package pyalloc.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pyalloc.report.chart.ChartedSnapshot;
import pyalloc.report.chart.Charts;
import pyalloc.report.chart.UnknownSnapshotException;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.report.csv.TimelineCsv;

/** {@code pyalloc chart}: redraws a report's PNG charts from its CSV files, without replaying. */
@Command(name = "chart", mixinStandardHelpOptions = true,
        description = "Redraws footprint.png, classes.png, arenas.png, arenas-over-time.png and"
                + " classes-over-time.png of a report folder from its CSV files (after editing them, or after a run"
                + " with --no-charts).",
        footerHeading = "%nExample:%n",
        footer = "  pyalloc chart reports/cache-3.12")
public final class ChartCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REPORT_DIR", description = "A folder written by 'pyalloc replay'.")
    Path dir;

    @Option(names = "--title", paramLabel = "NAME", description = "Name in the chart titles (default: the folder's name).")
    String title;

    @Option(names = "--snapshot", paramLabel = "LABEL",
            description = "The snapshot classes.png and arenas.png show: a mark's label, peak or end (default: exit"
                    + " when the trace has that mark, else peak).")
    String snapshot;

    @Override
    public Integer call() throws IOException {
        for (String f : new String[] {TimelineCsv.FILE, SnapshotCsv.MARKS, SnapshotCsv.CLASSES, SnapshotCsv.ARENAS}) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new PyallocException(ExitCode.IO, dir + ": no " + f + " (not a pyalloc report folder?)");
            }
        }
        ChartedSnapshot at;
        try {
            at = ChartedSnapshot.choose(dir, snapshot, true);
        } catch (UnknownSnapshotException e) {
            throw new PyallocException(ExitCode.USAGE, dir + ": " + e.getMessage());
        }
        Charts.draw(dir, title != null ? title : dir.toAbsolutePath().getFileName().toString(), at);
        return ExitCode.OK;
    }
}
