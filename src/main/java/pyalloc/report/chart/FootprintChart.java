package pyalloc.report.chart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYAreaRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.report.csv.TimelineCsv;

/**
 * {@code footprint.png}: where the arena bytes go over time, as stacked layers summing to M (requested,
 * size-class rounding, free blocks, free pools, overhead) with the arena count, and below it util = L / M
 * with its running-peak counterpart max L / max M. Marks are vertical lines. Drawn from timeline.csv and marks.csv alone.
 */
public record FootprintChart(Path reportDir, String title, ChartStyle style) {
    public static final String FILE = "footprint.png";
    private static final double MIB = 1024.0 * 1024.0;
    private static final String[] LAYERS = {"requested_bytes", "internal_frag_bytes", "available_bytes",
        "unused_pool_bytes", "overhead_bytes"};
    /** The legend: words first, the symbol of README and the page's glossary after. */
    private static final String[] LAYER_NAMES = {"live data (L)", "rounding up to size classes (Iq)",
        "free blocks in pools in use (F)", "empty pools (E)", "pool headers, tails, alignment (Hd+Q+A)"};
    /** Mark labels: at most this many rows of them, staggered where neighbours would overlap. */
    private static final int LABEL_ROWS = 4;
    /** Beyond this many marks, their lines only; beyond {@link #MOST_MARKS}, not even those. */
    private static final int MOST_LABELLED = 60;
    private static final int MOST_MARKS = 200;

    /** Renders the chart to {@code footprint.png} in the report folder. */
    public void render() throws IOException {
        List<CSVRecord> rows = CsvRows.read(reportDir.resolve(TimelineCsv.FILE), r -> true);
        boolean byTime = !rows.isEmpty() && !rows.get(0).get("ns").isEmpty();
        XYSeriesCollection layers = new XYSeriesCollection();
        // x only grows (the loop below keeps the first of two samples at one instant), so the series neither
        // sort nor search for a duplicate x on every add: that search was a tenth of this chart's time.
        XYSeries[] layerSeries = new XYSeries[LAYERS.length];
        for (int i = 0; i < LAYERS.length; i++) {
            layerSeries[i] = new XYSeries(LAYER_NAMES[i], false, true);
        }
        XYSeries arenas = new XYSeries("arenas (right axis)", false, true);
        // Utilization, not M / L - 1: it stays within 0..100 % where frag explodes while L is still tiny.
        XYSeries util = new XYSeries("live data / arenas (util = L / M)", false, true);
        XYSeries peak = new XYSeries("peak L / peak M so far", false, true);
        double lastX = Double.NEGATIVE_INFINITY;
        for (CSVRecord r : rows) {
            double x = x(r, byTime);
            if (x <= lastX) {
                continue;  // two samples at one instant: keep the first
            }
            lastX = x;
            double top = 0;
            for (int i = 0; i < LAYERS.length; i++) {
                top += CsvRows.num(r, LAYERS[i]) / MIB;
                layerSeries[i].add(x, top, false);  // stacked: each layer's top edge
            }
            arenas.add(x, CsvRows.num(r, "arenas"), false);
            double u = CsvRows.num(r, "util_pct");
            if (!Double.isNaN(u)) {
                util.add(x, u, false);
            }
            double p = CsvRows.num(r, "peak_frag_ratio");
            if (!Double.isNaN(p)) {
                peak.add(x, 100 / (1 + p), false);
            }
        }
        for (XYSeries s : layerSeries) {
            layers.addSeries(s);
        }

        NumberAxis xAxis = new NumberAxis(byTime ? "time (ms)" : "events");
        xAxis.setLabelFont(style.labelFont());
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(xAxis);
        combined.setGap(12);

        // Each layer is one polygon from 0 to its top edge, the outermost drawn first (XYPlot draws series in
        // reverse): a stacked renderer fills one small polygon per point and layer, ten times slower.
        XYAreaRenderer area = new XYAreaRenderer(XYAreaRenderer.AREA);
        area.setOutline(false);
        for (int i = 0; i < LAYERS.length; i++) {
            area.setSeriesPaint(i, style.layer(i));
        }
        XYPlot top = new XYPlot(layers, null, new NumberAxis("memory (MiB)"), area);
        NumberAxis arenaAxis = new NumberAxis("arenas");
        arenaAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        top.setRangeAxis(1, arenaAxis);
        XYLineAndShapeRenderer arenaLine = new XYLineAndShapeRenderer(true, false);
        arenaLine.setDrawSeriesLineAsPath(true);
        arenaLine.setSeriesPaint(0, style.arenas());
        arenaLine.setSeriesStroke(0, style.line());
        top.setRenderer(1, arenaLine);  // before the dataset: the stacked renderer cannot range a plain series
        top.setDataset(1, new XYSeriesCollection(arenas));
        top.mapDatasetToRangeAxis(1, 1);
        style.apply(top);
        arenaAxis.setLabelFont(style.labelFont());

        XYSeriesCollection ratios = new XYSeriesCollection();
        ratios.addSeries(util);
        ratios.addSeries(peak);
        XYLineAndShapeRenderer ratioLines = new XYLineAndShapeRenderer(true, false);
        ratioLines.setDrawSeriesLineAsPath(true);
        ratioLines.setSeriesPaint(0, style.frag());
        ratioLines.setSeriesPaint(1, style.peakFrag());
        ratioLines.setSeriesStroke(0, style.line());
        ratioLines.setSeriesStroke(1, style.dashed());
        NumberAxis pct = new NumberAxis("live / held (%)");
        pct.setRange(0, 100);
        XYPlot bottom = new XYPlot(ratios, null, pct, ratioLines);
        style.apply(bottom);

        combined.add(top, 3);
        combined.add(bottom, 1);
        addMarks(top, byTime, lastX);
        JFreeChart chart = new JFreeChart(title, style.titleFont(), combined, true);
        style.apply(chart);
        style.write(chart, reportDir.resolve(FILE));
    }

    private static double x(CSVRecord r, boolean byTime) {
        return byTime ? CsvRows.num(r, "ns") / 1e6 : CsvRows.num(r, "event");
    }

    /**
     * Draws the marks as dashed lines, each labelled at the top, left of its line. Labels that would overlap
     * their neighbour's go one row lower (up to {@link #LABEL_ROWS} rows); one that finds no free row is left out.
     */
    private void addMarks(XYPlot plot, boolean byTime, double lastX) throws IOException {
        Path marks = reportDir.resolve(SnapshotCsv.MARKS);
        if (!Files.exists(marks)) {
            return;
        }
        List<CSVRecord> rows = CsvRows.read(marks, r -> !r.get("line").isEmpty());
        if (rows.size() > MOST_MARKS || rows.isEmpty()) {
            return;
        }
        // The label's width in x units: the font's average character over the plot's share of the chart.
        java.awt.FontMetrics fm = new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB)
                .createGraphics().getFontMetrics(style.labelFont());
        double unitsPerPixel = Math.max(lastX, 1) / (style.width() * 0.85);
        double[] rowEnds = new double[LABEL_ROWS];
        java.util.Arrays.fill(rowEnds, Double.NEGATIVE_INFINITY);
        for (CSVRecord r : rows) {
            double x = x(r, byTime);
            ValueMarker m = new ValueMarker(x, style.mark(), style.dashed());
            double width = (fm.stringWidth(r.get("snapshot")) + 8) * unitsPerPixel;
            int row = 0;
            while (row < LABEL_ROWS && rowEnds[row] > x - width) {
                row++;
            }
            if (row < LABEL_ROWS && rows.size() <= MOST_LABELLED) {
                rowEnds[row] = x;
                m.setLabel(r.get("snapshot"));
                m.setLabelFont(style.labelFont());
                m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
                m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
                m.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(2 + row * (fm.getHeight() + 2), 2, 2, 2));
            }
            plot.addDomainMarker(m);
        }
    }
}
