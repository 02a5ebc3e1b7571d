package pyalloc.report.csv;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import pyalloc.report.WriteFailures;

/** A CSV file with a fixed list of {@link Column}s, written row by row through Commons CSV. */
public final class CsvTable implements Closeable {
    private final Path file;
    private final CSVPrinter printer;
    private final int width;

    private CsvTable(Path file, CSVPrinter printer, int width) {
        this.file = file;
        this.printer = printer;
        this.width = width;
    }

    /** Creates {@code file} and writes the header of {@code columns}. */
    public static CsvTable create(Path file, List<Column> columns) throws IOException {
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        try {
            return to(file, w, columns, true);
        } catch (IOException e) {
            w.close();
            throw WriteFailures.naming(file, e);
        }
    }

    /**
     * Returns a table written to {@code out} (standard output, say), with the header of {@code columns} when
     * {@code header}; {@link #flush} it, or {@link #close} it to close {@code out} too.
     */
    public static CsvTable to(Appendable out, List<Column> columns, boolean header) throws IOException {
        return to(null, out, columns, header);
    }

    private static CsvTable to(Path file, Appendable out, List<Column> columns, boolean header) throws IOException {
        CSVFormat.Builder format = CSVFormat.DEFAULT.builder().setRecordSeparator('\n');
        if (header) {
            format.setHeader(columns.stream().map(Column::header).toArray(String[]::new));
        }
        return new CsvTable(file, new CSVPrinter(out, format.get()), columns.size());
    }

    /** Flushes the rows written so far. */
    public void flush() throws IOException {
        try {
            printer.flush();
        } catch (IOException e) {
            throw named(e);
        }
    }

    /** Writes one row; values in column order. Doubles get 4 decimals (NaN is empty), null is empty. */
    public void row(Object... values) throws IOException {
        if (values.length != width) {
            throw new IllegalArgumentException("row has " + values.length + " values for " + width + " columns");
        }
        try {
            for (Object v : values) {
                printer.print(format(v));
            }
            printer.println();
        } catch (IOException e) {
            throw named(e);  // "No space left on device" alone does not say where
        }
    }

    static String format(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "" : fixed4(d);
        }
        return v.toString();
    }

    /**
     * Returns what {@code String.format(Locale.ROOT, "%.4f", d)} returns for a finite {@code d}: Double.toString's
     * digits rounded half up to four decimals (CsvTableTest holds the two to the same text). Formatter parses its
     * pattern with a regular expression on every call, cold code at the end of a run: timeline.csv's 2,000 rows
     * took 0.13 s that way.
     */
    static String fixed4(double d) {
        String s = BigDecimal.valueOf(d).setScale(4, RoundingMode.HALF_UP).toPlainString();
        boolean negative = d < 0 || Double.doubleToRawLongBits(d) == Long.MIN_VALUE;  // -0.0 too
        return negative && s.charAt(0) != '-' ? "-" + s : s;  // Formatter keeps the sign of what rounds to 0
    }

    /** Returns 100 × {@code ratio}, as a percentage column wants it. */
    public static double pct(double ratio) {
        return 100 * ratio;
    }

    @Override
    public void close() throws IOException {
        try {
            printer.close(true);
        } catch (IOException e) {
            throw named(e);
        }
    }

    /** Returns a failure naming the file written, when it is one. */
    private IOException named(IOException e) {
        return file == null ? e : WriteFailures.naming(file, e);
    }
}
