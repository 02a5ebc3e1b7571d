package pyalloc.report.chart;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Reads a report CSV back (charts are drawn from the files, never from the live model). */
final class CsvRows {
    private CsvRows() {
    }

    static List<CSVRecord> read(Path file, Predicate<CSVRecord> keep) throws IOException {
        List<CSVRecord> rows = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (CSVRecord rec : p) {
                if (keep.test(rec)) {
                    rows.add(rec);
                }
            }
        }
        return rows;
    }

    /**
     * Returns the rows of {@code file} (classes.csv, arenas.csv) whose {@code snapshot} is {@code label}: of the
     * last snapshot of that label, when marks repeat a label.
     */
    static List<CSVRecord> snapshot(Path file, String label) throws IOException {
        List<CSVRecord> rows = new ArrayList<>();
        boolean inRun = false;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (CSVRecord rec : p) {
                boolean match = rec.get("snapshot").equals(label);
                if (match && !inRun) {
                    rows.clear();  // a later snapshot of the same label
                }
                if (match) {
                    rows.add(rec);
                }
                inRun = match;
            }
        }
        return rows;
    }

    /** Returns the column as a double; NaN when empty. */
    static double num(CSVRecord r, String column) {
        String s = r.get(column);
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
