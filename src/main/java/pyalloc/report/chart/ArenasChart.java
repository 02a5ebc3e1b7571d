package pyalloc.report.chart;

import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import pyalloc.report.csv.SnapshotCsv;

/**
 * {@code arenas.png}: the occupancy of every arena at one snapshot; pinned arenas (live blocks, low occupancy:
 * memory the process cannot give back) stand out in their own colour. Drawn from arenas.csv alone.
 */
public record ArenasChart(Path reportDir, String title, String snapshot, ChartStyle style) {
    public static final String FILE = "arenas.png";

    public void render() throws IOException {
        List<CSVRecord> rows = CsvRows.snapshot(reportDir.resolve(SnapshotCsv.ARENAS), snapshot);
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        boolean[] pinned = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            CSVRecord r = rows.get(i);
            data.addValue(CsvRows.num(r, "occupancy_pct"), "occupancy", "#" + r.get("slot"));
            pinned[i] = r.get("pinned").equals("1");
        }
        // One series, coloured per arena: two series side by side would leave each bar half a slot off centre.
        BarRenderer bars = new BarRenderer() {
            private static final long serialVersionUID = 1L;

            @Override
            public Paint getItemPaint(int row, int column) {
                return pinned[column] ? style.pinned() : style.layer(0);
            }

            @Override
            public LegendItemCollection getLegendItems() {
                LegendItemCollection items = new LegendItemCollection();
                items.add(new LegendItem("occupancy: live block bytes / arena size", style.layer(0)));
                items.add(new LegendItem("pinned: live blocks, but occupancy under the pinned threshold",
                        style.pinned()));
                return items;
            }
        };
        style.flat(bars);
        CategoryAxis x = new CategoryAxis("arena (slot in the arenas vector)");
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        x.setTickLabelsVisible(rows.size() <= 80);
        NumberAxis y = new NumberAxis("occupancy (%)");
        y.setRange(0, 100);
        style.save(reportDir.resolve(FILE), title, data, x, y, bars);
    }
}
