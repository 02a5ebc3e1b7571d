package pyalloc.report.chart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.data.category.DefaultCategoryDataset;
import pyalloc.report.csv.SnapshotCsv;

/**
 * {@code classes.png}: per size class at the end of the run, the bytes in use next to the bytes held free in
 * that class's used pools, with each class's utilization in its label. Drawn from classes.csv alone.
 */
public record ClassesChart(Path reportDir, String title, ChartStyle style) {
    public static final String FILE = "classes.png";
    private static final List<String> COLUMNS = List.of("snapshot", "pools", "util_pct", "block_size_bytes",
            "bytes_in_use", "avail_bytes");

    public void render() throws IOException {
        List<CsvRows.Row> rows = CsvRows.read(reportDir.resolve(SnapshotCsv.CLASSES), COLUMNS,
                r -> r.get("snapshot").equals("end") && !r.get("pools").equals("0"));
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (CsvRows.Row r : rows) {
            double util = r.num("util_pct");
            String label = r.get("block_size_bytes") + " B (" + Math.round(util) + "%)";
            data.addValue(r.num("bytes_in_use") / 1024, "bytes in use", label);
            data.addValue(r.num("avail_bytes") / 1024, "free blocks in used pools", label);
        }
        CategoryAxis x = new CategoryAxis("size class: block size (utilization = in use / pool capacity)");
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        style.save(reportDir.resolve(FILE), title, data, x, new NumberAxis("KiB"),
                style.bars(style.layer(0), style.layer(2)));
    }
}
