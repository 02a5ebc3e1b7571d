package pyalloc.report.chart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.data.category.DefaultCategoryDataset;
import pyalloc.report.csv.SnapshotCsv;

/**
 * {@code classes.png}: per size class at one snapshot, the bytes in use next to the bytes held free in that
 * class's used pools, with each class's utilization in its label. Drawn from classes.csv alone.
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
            data.addValue(CsvRows.num(r, "bytes_in_use") / 1024, "bytes in use", label);
            data.addValue(CsvRows.num(r, "avail_bytes") / 1024, "free blocks in used pools", label);
        }
        CategoryAxis x = new CategoryAxis("size class: block size (utilization = in use / pool capacity)");
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        style.save(reportDir.resolve(FILE), title, data, x, new NumberAxis("KiB"),
                style.bars(style.layer(0), style.layer(2)));
    }
}
