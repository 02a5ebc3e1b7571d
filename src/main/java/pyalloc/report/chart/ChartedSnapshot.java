package pyalloc.report.chart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVRecord;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.stats.Snapshot;

/**
 * The snapshot that the per-class and per-arena charts show, one of the rows of marks.csv. By default the
 * program at its {@code exit} mark when the trace has one (not the interpreter's shutdown after it, which frees
 * most of what the program held), else the peak of arena bytes, else the end.
 *
 * @param label  the snapshot's label in the CSV files
 * @param phrase how chart titles name it: "at exit (before interpreter shutdown)", "at the peak of arena bytes
 *               (139.6 ms)", ...
 */
public record ChartedSnapshot(String label, String phrase) {

    /**
     * Returns the snapshot {@code requested} names (null: the default) among those of the report in
     * {@code reportDir}. An unknown label throws {@link UnknownSnapshotException} when {@code strict}, else gives
     * the default (the caller has said so already).
     */
    public static ChartedSnapshot choose(Path reportDir, String requested, boolean strict) throws IOException {
        List<CSVRecord> marks = CsvRows.read(reportDir.resolve(SnapshotCsv.MARKS), r -> true);
        LinkedHashSet<String> labels = new LinkedHashSet<>();
        for (CSVRecord r : marks) {
            labels.add(r.get("snapshot"));
        }
        String label = requested;
        if (label != null && !labels.contains(label)) {
            if (strict) {
                throw new UnknownSnapshotException(label, new ArrayList<>(labels));
            }
            label = null;
        }
        if (label == null) {
            label = labels.contains(Snapshot.EXIT) ? Snapshot.EXIT
                    : labels.contains(Snapshot.PEAK) ? Snapshot.PEAK : Snapshot.END;
        }
        CSVRecord row = null;
        for (CSVRecord r : marks) {
            if (r.get("snapshot").equals(label)) {
                row = r;  // the last of that label: pyalloc's own peak and end come after the marks
            }
        }
        return new ChartedSnapshot(label, phrase(label, row));
    }

    private static String phrase(String label, CSVRecord row) {
        if (row == null) {
            return "at " + label;
        }
        String ns = row.get("ns");
        String when = ns.isEmpty() ? String.format(Locale.ROOT, "event %,d", Long.parseLong(row.get("event")))
                : String.format(Locale.ROOT, "%.1f ms", Long.parseLong(ns) / 1e6);
        return switch (label) {
            case Snapshot.EXIT -> "at exit (" + when + ", before interpreter shutdown)";
            case Snapshot.PEAK -> "at the peak of arena bytes (" + when + ")";
            case Snapshot.END -> "at the end of the trace";
            default -> "at mark " + label + " (" + when + ")";
        };
    }
}
