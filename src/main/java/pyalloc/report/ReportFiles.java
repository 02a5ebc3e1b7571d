package pyalloc.report;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A report folder read back from its files, for the outputs that are a function of them (the findings and the
 * page), so that {@code pyalloc chart DIR} rebuilds them without a replay. Files are read when first asked
 * for and kept; a missing file reads as no rows, so that each output shows what the folder has.
 */
public final class ReportFiles {
    public static final String SUMMARY = "summary.csv";
    public static final String MARKS = "marks.csv";
    public static final String CLASSES = "classes.csv";
    public static final String ARENAS = "arenas.csv";
    public static final String TIMELINE = "timeline.csv";

    /** The snapshot labels pyalloc gives itself (marks.csv): the recorder's exit mark, the end of the trace. */
    public static final String EXIT = "exit";
    public static final String END = "end";

    private final Path dir;
    private final Map<String, List<Row>> cache = new HashMap<>();

    private ReportFiles(Path dir) {
        this.dir = dir;
    }

    public static ReportFiles of(Path dir) {
        return new ReportFiles(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Returns whether the folder holds {@code file}. */
    public boolean has(String file) {
        return Files.isRegularFile(dir.resolve(file));
    }

    /** Returns every row of {@code file}; none when the folder does not hold it. */
    public List<Row> rows(String file) {
        return cache.computeIfAbsent(file, f -> {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p)) {
                return List.of();
            }
            try {
                return read(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Returns summary.csv's row (the first: one per run), or null. */
    public Row summary() {
        List<Row> s = rows(SUMMARY);
        return s.isEmpty() ? null : s.get(0);
    }

    public List<Row> marks() {
        return rows(MARKS);
    }

    public List<Row> timeline() {
        return rows(TIMELINE);
    }

    /** Returns the last row of marks.csv labelled {@code label} (pyalloc's own snapshots follow the marks), or null. */
    public Row mark(String label) {
        Row found = null;
        for (Row r : marks()) {
            if (r.get("snapshot").equals(label)) {
                found = r;
            }
        }
        return found;
    }

    /**
     * Returns the snapshot the report's headline numbers describe: the one summary.csv names when it has a
     * {@code snapshot} column, else the recorder's {@code exit} mark (the program's state before the interpreter's
     * shutdown) when the trace has one, else the end of the trace; null without marks.csv.
     */
    public Row headline() {
        Row s = summary();
        if (s != null && s.has("snapshot") && mark(s.get("snapshot")) != null) {
            return mark(s.get("snapshot"));
        }
        Row exit = mark(EXIT);
        return exit != null ? exit : mark(END);
    }

    /**
     * Returns the rows of {@code file} (classes.csv, arenas.csv) of the snapshot {@code label}: of its last run
     * when a label repeats.
     */
    public List<Row> snapshot(String file, String label) {
        List<Row> rows = new ArrayList<>();
        boolean inRun = false;
        for (Row r : rows(file)) {
            boolean match = r.get("snapshot").equals(label);
            if (match && !inRun) {
                rows.clear();
            }
            if (match) {
                rows.add(r);
            }
            inRun = match;
        }
        return rows;
    }

    /** Returns the timeline's rows up to the snapshot {@code s} (its event), all when {@code s} is null. */
    public List<Row> timelineUpTo(Row s) {
        List<Row> all = timeline();
        if (s == null) {
            return all;
        }
        long event = s.lng("event");
        List<Row> rows = new ArrayList<>();
        for (Row r : all) {
            if (r.lng("event") <= event) {
                rows.add(r);
            }
        }
        return rows;
    }

    /** Returns whether the timeline and marks count time in ns (else in events). */
    public boolean byTime() {
        List<Row> t = timeline();
        return !t.isEmpty() && !t.get(0).get("ns").isEmpty();
    }

    private static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (CSVRecord rec : p) {
                rows.add(new Row(rec));
            }
        }
        return rows;
    }

    /** One row of a report CSV file. */
    public record Row(CSVRecord record) {
        /** Returns whether the file has the column. */
        public boolean has(String column) {
            return record.isMapped(column);
        }

        /** Returns the column's text; empty when the file has no such column. */
        public String get(String column) {
            return record.isMapped(column) && record.isSet(column) ? record.get(column) : "";
        }

        /** Returns the column as a number; NaN when empty or absent. */
        public double num(String column) {
            String s = get(column);
            return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
        }

        /** Returns the column as a long; 0 when empty or absent. */
        public long lng(String column) {
            String s = get(column);
            return s.isEmpty() ? 0 : Long.parseLong(s);
        }
    }
}
