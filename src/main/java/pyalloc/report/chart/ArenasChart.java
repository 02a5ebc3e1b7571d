package pyalloc.report.chart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import pyalloc.report.csv.SnapshotCsv;

/**
 * {@code arenas.png}: the occupancy of every arena at the end of the run; pinned arenas (live blocks, low
 * occupancy: memory the process cannot give back) stand out in their own colour. Drawn from arenas.csv alone.
 */
public record ArenasChart(Path reportDir, String title, ChartStyle style) {
    public static final String FILE = "arenas.png";
    private static final List<String> COLUMNS = List.of("snapshot", "slot", "pinned", "occupancy_pct");

    public void render() throws IOException {
        List<CsvRows.Row> rows = CsvRows.read(reportDir.resolve(SnapshotCsv.ARENAS), COLUMNS,
                r -> r.get("snapshot").equals("end"));
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (CsvRows.Row r : rows) {
            String key = "#" + r.get("slot");
            boolean pinned = r.get("pinned").equals("1");
            data.addValue(pinned ? 0 : r.num("occupancy_pct"), "occupancy", key);
            data.addValue(pinned ? r.num("occupancy_pct") : 0, "pinned (live blocks, low occupancy)", key);
        }
        BarRenderer bars = style.bars(style.layer(0), style.pinned());
        bars.setItemMargin(-1.0);  // one of the two series is 0 for each arena: draw them on top of each other
        CategoryAxis x = new CategoryAxis("arena (slot in the arenas vector)");
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        x.setTickLabelsVisible(rows.size() <= 80);
        NumberAxis y = new NumberAxis("occupancy: live block bytes / arena size (%)");
        y.setRange(0, 100);
        style.save(reportDir.resolve(FILE), title, data, x, y, bars);
    }
}
