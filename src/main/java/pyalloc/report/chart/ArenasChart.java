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
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import pyalloc.report.csv.SnapshotCsv;

/**
 * {@code arenas.png}: the occupancy of every arena at one snapshot; pinned arenas (live blocks, low occupancy:
 * memory the process cannot give back) stand out in their own colour. Past {@link #MOST_BARS} arenas, one bar
 * each would be thinner than a pixel: then the arenas are counted by occupancy, in steps of 5 %. Drawn from
 * arenas.csv alone.
 */
public record ArenasChart(Path reportDir, String title, String snapshot, ChartStyle style) {
    public static final String FILE = "arenas.png";
    /** The most arenas drawn one bar each. */
    static final int MOST_BARS = 200;

    public void render() throws IOException {
        List<CSVRecord> rows = CsvRows.snapshot(reportDir.resolve(SnapshotCsv.ARENAS), snapshot);
        if (rows.size() > MOST_BARS) {
            histogram(rows);
            return;
        }
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

    /** Draws the arenas counted by occupancy, in 20 steps of 5 %, pinned ones stacked apart. */
    private void histogram(List<CSVRecord> rows) throws IOException {
        int[] plain = new int[20];
        int[] pinned = new int[20];
        for (CSVRecord r : rows) {
            int step = Math.min(19, (int) (CsvRows.num(r, "occupancy_pct") / 5));
            if (r.get("pinned").equals("1")) {
                pinned[step]++;
            } else {
                plain[step]++;
            }
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int step = 0; step < 20; step++) {
            String key = (5 * step) + "–" + (5 * step + 5) + " %";
            data.addValue(pinned[step], "pinned: live blocks, but occupancy under the pinned threshold", key);
            data.addValue(plain[step], "other arenas", key);
        }
        StackedBarRenderer bars = new StackedBarRenderer();
        style.flat(bars);
        bars.setSeriesPaint(0, style.pinned());
        bars.setSeriesPaint(1, style.layer(0));
        CategoryAxis x = new CategoryAxis("occupancy: live block bytes / arena size (" + rows.size()
                + " arenas, counted in steps of 5 %)");
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        NumberAxis y = new NumberAxis("arenas");
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        style.save(reportDir.resolve(FILE), title, data, x, y, bars);
    }
}
