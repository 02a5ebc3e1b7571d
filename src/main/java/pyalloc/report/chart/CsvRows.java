package pyalloc.report.chart;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import pyalloc.report.ReportFormatException;

/**
 * Reads a report CSV back (charts are drawn from the files, never from the live model). The files may have
 * been edited or cut short since pyalloc wrote them ({@code pyalloc chart}): anything else than the header and
 * the columns a chart reads, with numbers where it wants them, is a {@link ReportFormatException} naming the line.
 */
final class CsvRows {
    private CsvRows() {
    }

    /** One row, and where it is, for messages. */
    record Row(CSVRecord record, String file, long line) {
        /** Returns a column's text. */
        String get(String column) {
            return record.get(column);
        }

        /** Returns the column as a number; NaN when empty. */
        double num(String column) {
            String s = record.get(column);
            if (s.isEmpty()) {
                return Double.NaN;
            }
            try {
                double d = Double.parseDouble(s);
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new ReportFormatException(file, line, column + " " + quote(s) + " is not a number");
        }
    }

    /**
     * Returns the rows of {@code file} that {@code keep} keeps; the header must name every one of {@code columns}
     * and every row must have as many fields as the header.
     */
    static List<Row> read(Path file, List<String> columns, Predicate<Row> keep) throws IOException {
        String name = file.toString();
        List<Row> rows = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            List<String> header = p.getHeaderNames();
            if (header.isEmpty()) {
                throw new ReportFormatException(name, 0, "is empty: no header line");
            }
            for (String c : columns) {
                if (!header.contains(c)) {
                    throw new ReportFormatException(name, 1, "the header has no " + quote(c) + " column (not a file"
                            + " pyalloc wrote, or cut short?)");
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
                Row row = new Row(rec, name, line);
                if (keep.test(row)) {
                    rows.add(row);
                }
            }
        } catch (CharacterCodingException e) {
            throw new ReportFormatException(name, 1, "is not UTF-8 text");  // in the header line, read first
        } catch (IllegalArgumentException e) {
            // Commons CSV refuses a header it cannot map (a column named twice, an empty name twice).
            throw new ReportFormatException(name, 1, "the header is not one pyalloc wrote (" + e.getMessage() + ")");
        }
        return rows;
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
