package pyalloc.report.csv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import pyalloc.report.ComparisonContext;
import pyalloc.report.ComparisonSink;
import pyalloc.stats.RunResult;

/**
 * {@code compare.csv}: one row per configuration, in the order given, with the columns of summary.csv: each row is
 * that configuration's own summary.csv row.
 */
public final class CompareCsv implements ComparisonSink {
    public static final String FILE = "compare.csv";
    /** The columns of compare.csv: those of summary.csv. */
    public static final List<Column> COLUMNS = SummaryCsv.COLUMNS;

    private final Path dir;

    public CompareCsv(ComparisonContext context) {
        this.dir = context.dir();
    }

    @Override
    public void onEnd(List<RunResult> results) throws IOException {
        try (CsvTable csv = CsvTable.create(dir.resolve(FILE), COLUMNS)) {
            for (RunResult r : results) {
                csv.row(SummaryCsv.row(r));
            }
        }
    }
}
