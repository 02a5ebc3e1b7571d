package pyalloc.report.chart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import pyalloc.report.ReportFormatException;
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
    private static final String[] LAYER_NAMES = {"requested (L)", "size-class rounding (Iq)",
        "free blocks in used pools (F)", "unused pools (E)", "headers + quantization + alignment"};

    /** Renders the chart to {@code footprint.png} in the report folder. */
    public void render() throws IOException {
        List<String> columns = new ArrayList<>(List.of(LAYERS));
        columns.addAll(List.of("event", "ns", "arenas", "util_pct", "peak_frag_ratio"));
        List<CsvRows.Row> rows = CsvRows.read(reportDir.resolve(TimelineCsv.FILE), columns, r -> true);
        boolean byTime = !rows.isEmpty() && !rows.get(0).get("ns").isEmpty();
        XYSeriesCollection layers = new XYSeriesCollection();
        // x only grows (the loop below keeps the first of two samples at one instant), so the series neither
        // sort nor search for a duplicate x on every add: that search was a tenth of this chart's time.
        XYSeries[] layerSeries = new XYSeries[LAYERS.length];
        for (int i = 0; i < LAYERS.length; i++) {
            layerSeries[i] = new XYSeries(LAYER_NAMES[i], false, true);
        }
        XYSeries arenas = new XYSeries("arenas", false, true);
        // Utilization, not M / L - 1: it stays within 0..100 % where frag explodes while L is still tiny.
        XYSeries util = new XYSeries("util = L / M", false, true);
        XYSeries peak = new XYSeries("max L / max M so far", false, true);
        double lastX = Double.NEGATIVE_INFINITY;
        double[] layer = new double[LAYERS.length];
        for (CsvRows.Row r : rows) {
            double x = x(r, byTime);
            for (int i = 0; i < LAYERS.length; i++) {
                layer[i] = r.num(LAYERS[i]) / MIB;  // every row's numbers are checked, kept or not
            }
            double a = r.num("arenas");
            double u = r.num("util_pct");
            double p = r.num("peak_frag_ratio");
            if (x <= lastX) {
                continue;  // two samples at one instant: keep the first
            }
            lastX = x;
            double top = 0;
            for (int i = 0; i < LAYERS.length; i++) {
                top += layer[i];
                layerSeries[i].add(x, top, false);  // stacked: each layer's top edge
            }
            arenas.add(x, a, false);
            if (!Double.isNaN(u)) {
                util.add(x, u, false);
            }
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
        XYPlot top = new XYPlot(layers, null, new NumberAxis("MiB"), area);
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
        NumberAxis pct = new NumberAxis("util (%)");
        pct.setRange(0, 100);
        XYPlot bottom = new XYPlot(ratios, null, pct, ratioLines);
        style.apply(bottom);

        combined.add(top, 3);
        combined.add(bottom, 1);
        addMarks(top, byTime);
        JFreeChart chart = new JFreeChart(title, style.titleFont(), combined, true);
        style.apply(chart);
        style.write(chart, reportDir.resolve(FILE));
    }

    private static double x(CsvRows.Row r, boolean byTime) {
        String column = byTime ? "ns" : "event";
        r.num("event");  // checked either way
        double x = r.num(column);
        if (Double.isNaN(x)) {
            throw new ReportFormatException(r.file(), r.line(), column + " is empty");
        }
        return byTime ? x / 1e6 : x;
    }

    private void addMarks(XYPlot plot, boolean byTime) throws IOException {
        Path marks = reportDir.resolve(SnapshotCsv.MARKS);
        if (!Files.exists(marks)) {
            return;
        }
        List<CsvRows.Row> rows = CsvRows.read(marks, List.of("snapshot", "line", "event", "ns"),
                r -> !r.get("line").isEmpty());
        if (rows.size() > 40) {
            return;  // too many to label legibly
        }
        for (CsvRows.Row r : rows) {
            double x = byTime ? r.num("ns") / 1e6 : r.num("event");
            if (Double.isNaN(x)) {
                continue;  // a mark before the trace's first time has none
            }
            ValueMarker m = new ValueMarker(x, style.mark(), style.dashed());
            m.setLabel(r.get("snapshot"));
            m.setLabelFont(style.labelFont());
            m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            plot.addDomainMarker(m);
        }
    }
}
