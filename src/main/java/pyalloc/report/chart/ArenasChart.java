package pyalloc.report.chart;

import java.awt.Color;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import pyalloc.report.csv.SnapshotCsv;

/**
 * {@code arenas.png}: every arena at one snapshot as a bar of its pools, whatever its occupancy: the pools that
 * hold live blocks (in the pinned colour for a pinned arena: live blocks, low occupancy, memory the process
 * cannot give back), its empty pools (free memory only that arena's blocks keep), and its pools never used yet;
 * a black tick marks its occupancy. So three arenas read as well as two hundred, and an arena with a single
 * live block still shows. Past {@link #MOST_BARS} arenas, one bar each would be thinner than a pixel: then the
 * arenas are counted by occupancy, in steps of 5 %. Drawn from arenas.csv alone.
 */
public record ArenasChart(Path reportDir, String title, String snapshot, ChartStyle style) {
    public static final String FILE = "arenas.png";
    /** The most arenas drawn one bar each. */
    static final int MOST_BARS = 200;
    /** The widest a bar gets, as a share of the axis: a few arenas make bars, not walls. */
    private static final double WIDEST = 0.08;
    private static final Color NEVER_USED = new Color(0xE4E4E4);

    public void render() throws IOException {
        List<CSVRecord> rows = CsvRows.snapshot(reportDir.resolve(SnapshotCsv.ARENAS), snapshot);
        if (rows.size() > MOST_BARS) {
            histogram(rows);
            return;
        }
        DefaultCategoryDataset pools = new DefaultCategoryDataset();
        DefaultCategoryDataset occupancy = new DefaultCategoryDataset();
        boolean[] pinned = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            CSVRecord r = rows.get(i);
            String key = "#" + r.get("slot");
            double total = Math.max(1, CsvRows.num(r, "total_pools"));
            pools.addValue(100 * CsvRows.num(r, "used_pools") / total, USED, key);
            pools.addValue(100 * CsvRows.num(r, "empty_pools") / total, EMPTY, key);
            pools.addValue(100 * CsvRows.num(r, "never_carved_pools") / total, NEVER, key);
            occupancy.addValue(CsvRows.num(r, "occupancy_pct"), OCCUPANCY, key);
            pinned[i] = r.get("pinned").equals("1");
        }
        StackedBarRenderer bars = new StackedBarRenderer() {
            private static final long serialVersionUID = 1L;

            @Override
            public Paint getItemPaint(int row, int column) {
                return row == 0 && pinned[column] ? style.pinned() : super.getItemPaint(row, column);
            }

            @Override
            public LegendItemCollection getLegendItems() {
                LegendItemCollection items = new LegendItemCollection();
                items.add(new LegendItem(USED, style.layer(0)));
                items.add(new LegendItem("the same, of a pinned arena (live blocks, occupancy under the threshold)",
                        style.pinned()));
                items.add(new LegendItem(EMPTY, style.layer(3)));
                items.add(new LegendItem(NEVER, NEVER_USED));
                return items;
            }
        };
        style.flat(bars);
        bars.setSeriesPaint(0, style.layer(0));
        bars.setSeriesPaint(1, style.layer(3));
        bars.setSeriesPaint(2, NEVER_USED);
        bars.setMaximumBarWidth(WIDEST);
        CategoryAxis x = new CategoryAxis("arena (slot in the arenas vector)");
        x.setCategoryLabelPositions(rows.size() <= 24 ? CategoryLabelPositions.STANDARD : CategoryLabelPositions.UP_90);
        x.setTickLabelsVisible(rows.size() <= 80);
        NumberAxis y = new NumberAxis("share of the arena's pools (%); tick: occupancy (%)");
        y.setRange(0, 100);
        x.setLabelFont(style.labelFont());
        y.setLabelFont(style.labelFont());
        CategoryPlot plot = new CategoryPlot(pools, x, y, bars);
        // the occupancy tick: a short black bar across each arena's bar, as wide as the bar at most
        LineAndShapeRenderer ticks = new LineAndShapeRenderer(false, true);
        double tickWidth = Math.min(28, 0.6 * style.width() * 0.85 / Math.max(1, rows.size()));
        ticks.setSeriesShape(0, new Rectangle2D.Double(-tickWidth / 2, -1.5, tickWidth, 3));
        ticks.setSeriesPaint(0, Color.BLACK);
        ticks.setSeriesVisibleInLegend(0, true);
        plot.setDataset(1, occupancy);
        plot.setRenderer(1, ticks);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setBackgroundPaint(style.background());
        plot.setRangeGridlinePaint(style.grid());
        plot.setRangeGridlineStroke(style.gridline());
        JFreeChart chart = new JFreeChart(title, style.titleFont(), plot, true);
        style.apply(chart);
        style.write(chart, reportDir.resolve(FILE));
    }

    private static final String USED = "pools holding live blocks";
    private static final String EMPTY = "empty pools (E): free, but kept with their arena";
    private static final String NEVER = "pools never used yet";
    private static final String OCCUPANCY = "occupancy: live block bytes / arena size";

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
