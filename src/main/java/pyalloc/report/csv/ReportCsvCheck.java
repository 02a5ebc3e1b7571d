package pyalloc.report.csv;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import pyalloc.report.ReportFormatException;

/**
 * Checks a report folder's CSV files before {@code pyalloc chart} reads them back: the files may have been
 * edited or cut short since replay wrote them, and the charts, the findings and the page read them trusting
 * what replay writes. Each file pyalloc knows must be UTF-8 CSV with a header naming every column it writes
 * (more are allowed: compare adds some), as many fields in every row as the header has columns, and a number
 * (or nothing) in every numeric column; anything else is a {@link ReportFormatException} naming the file and
 * the line (exit 3), where it was an IllegalArgument or NumberFormatException from deep in a chart.
 */
public final class ReportCsvCheck {
    /** The files a report may hold, with the columns pyalloc writes in them. */
    private static final Map<String, List<Column>> FILES = new LinkedHashMap<>();

    static {
        FILES.put(TimelineCsv.FILE, TimelineCsv.COLUMNS);
        FILES.put(SnapshotCsv.MARKS, SnapshotCsv.MARK_COLUMNS);
        FILES.put(SnapshotCsv.CLASSES, SnapshotCsv.CLASS_COLUMNS);
        FILES.put(SnapshotCsv.ARENAS, SnapshotCsv.ARENA_COLUMNS);
        FILES.put(SummaryCsv.FILE, SummaryCsv.COLUMNS);
        FILES.put(SummaryCsv.ANOMALIES, SummaryCsv.ANOMALY_COLUMNS);
        FILES.put(SitesCsv.SITES, SitesCsv.SITE_COLUMNS);
        FILES.put(SitesCsv.ARENA_SITES, SitesCsv.ARENA_SITE_COLUMNS);
        FILES.put(SitesCsv.TIMELINE, SitesCsv.TIMELINE_COLUMNS);
        FILES.put(ArenasOverTimeCsv.FILE, ArenasOverTimeCsv.COLUMNS);
        FILES.put(ClassesOverTimeCsv.FILE, ClassesOverTimeCsv.COLUMNS);
    }

    /** The columns that hold text; every other column pyalloc writes holds a number or nothing. */
    private static final Set<String> TEXT = Set.of("trace", "profile", "snapshot", "address", "kind", "ptr",
            "description", "file", "function", "callers", "where", "title", "unit", "finding", "evidence", "advice",
            "rule", "value");

    private ReportCsvCheck() {
    }

    /** Checks every CSV file of {@code dir} that pyalloc writes. */
    public static void check(Path dir) throws IOException {
        for (Map.Entry<String, List<Column>> f : FILES.entrySet()) {
            Path file = dir.resolve(f.getKey());
            if (Files.isRegularFile(file)) {
                check(file, f.getValue());
            }
        }
    }

    /** Checks one file against the columns pyalloc writes in it. */
    public static void check(Path file, List<Column> columns) throws IOException {
        String name = file.toString();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            List<String> header = p.getHeaderNames();
            if (header.isEmpty()) {
                throw new ReportFormatException(name, 0, "is empty: no header line");
            }
            for (Column c : columns) {
                if (!header.contains(c.header())) {
                    throw new ReportFormatException(name, 1, "the header has no \"" + c.header() + "\" column (cut"
                            + " short, or not a file this pyalloc wrote?)");
                }
            }
            Iterator<CSVRecord> it = p.iterator();
            while (true) {
                long line = p.getCurrentLineNumber() + 1;
                CSVRecord rec;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    rec = it.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    throw new ReportFormatException(name, line, hasCause(e, CharacterCodingException.class)
                            ? "is not UTF-8 text" : "is not valid CSV (a quote never closed?)");
                }
                if (rec.size() != header.size()) {
                    throw new ReportFormatException(name, line, "row has " + rec.size() + " fields but the header has "
                            + header.size() + " columns (cut short?)");
                }
                for (Column c : columns) {
                    if (!TEXT.contains(c.header())) {
                        number(name, line, c.header(), rec.get(c.header()));
                    }
                }
            }
        } catch (CharacterCodingException e) {
            throw new ReportFormatException(name, 1, "is not UTF-8 text");  // in the header line, read first
        } catch (IllegalArgumentException e) {
            throw new ReportFormatException(name, 1, "the header is not one pyalloc wrote (" + e.getMessage() + ")");
        }
    }

    private static void number(String file, long line, String column, String s) {
        if (s.isEmpty()) {
            return;
        }
        try {
            if (Double.isFinite(Double.parseDouble(s)) && !s.endsWith("d") && !s.endsWith("f") && !s.endsWith("D")
                    && !s.endsWith("F")) {
                return;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ReportFormatException(file, line, column + " " + quote(s) + " is not a number");
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> kind) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (kind.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Returns {@code s} quoted for a message: at most 40 characters, control characters escaped. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().limit(40).forEach(c -> {
            if (c == '"' || c == '\\') {
                sb.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append(s.codePointCount(0, s.length()) > 40 ? "...\"" : "\"").toString();
    }
}
