package pyalloc.report.chart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import pyalloc.report.csv.SnapshotCsv;

/**
 * {@code classes.png}: per size class at one snapshot, the bytes in use next to the bytes held free in that
 * class's used pools, with each class's utilization in its label; a few classes as narrow bars with level
 * labels. Drawn from classes.csv alone.
 */
public record ClassesChart(Path reportDir, String title, String snapshot, ChartStyle style) {
    public static final String FILE = "classes.png";

    public void render() throws IOException {
        List<CSVRecord> rows = CsvRows.snapshot(reportDir.resolve(SnapshotCsv.CLASSES), snapshot).stream()
                .filter(r -> !r.get("pools").equals("0")).toList();
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (CSVRecord r : rows) {
            double util = CsvRows.num(r, "util_pct");
            String label = r.get("block_size_bytes") + " B (" + Math.round(util) + "%)";
            data.addValue(CsvRows.num(r, "bytes_in_use") / 1024, "in live blocks", label);
            data.addValue(CsvRows.num(r, "avail_bytes") / 1024,
                    "free blocks in the class's pools (F): reusable by this size class only", label);
        }
        CategoryAxis x = new CategoryAxis("size class: block size (utilization = blocks in use / its pools' blocks)");
        // level labels while they fit, slanted past a dozen classes
        x.setCategoryLabelPositions(rows.size() <= 12 ? CategoryLabelPositions.STANDARD
                : CategoryLabelPositions.UP_45);
        BarRenderer bars = style.bars(style.layer(0), style.layer(2));
        bars.setMaximumBarWidth(0.06);  // a few classes make bars, not walls
        ValueAxis y = new NumberAxis("KiB");
        if (skewed(rows)) {
            // one class dwarfs the rest: on a linear scale they would be slivers under one tall bar
            LogAxis log = new LogAxis("KiB (log scale: each grid step is 10 times the one below)");
            log.setBase(10);
            log.setSmallestValue(SMALLEST_KIB);
            log.setAutoTickUnitSelection(false);
            log.setTickUnit(new NumberTickUnit(1));  // in powers of ten: 0.01, 0.1, 1, 10, ...
            log.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.##"));
            bars.setBase(SMALLEST_KIB);
            y = log;
        }
        style.save(reportDir.resolve(FILE), title, data, x, y, bars);
    }

    /** The least a bar shows on the log scale, in KiB: a fraction of a block. */
    private static final double SMALLEST_KIB = 0.01;
    /** The largest bar against the median one, past which the scale is logarithmic. */
    private static final double SKEW = 20;

    /** Returns whether the largest value is more than {@link #SKEW} times the median of the non-zero ones. */
    private static boolean skewed(List<CSVRecord> rows) {
        List<Double> values = new java.util.ArrayList<>();
        for (CSVRecord r : rows) {
            for (String c : new String[] {"bytes_in_use", "avail_bytes"}) {
                double v = CsvRows.num(r, c);
                if (v > 0) {
                    values.add(v);
                }
            }
        }
        if (values.size() < 3) {
            return false;
        }
        java.util.Collections.sort(values);
        return values.get(values.size() - 1) > SKEW * values.get(values.size() / 2);
    }
}
