package pyalloc.report.chart;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYAreaRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import pyalloc.report.csv.TimelineCsv;

/**
 * {@code footprint.png}: where the Python heap goes over time, as stacked layers: the arena bytes M by use
 * (requested, size-class rounding, free blocks, free pools, overhead), then what bypasses pymalloc (MEM/OBJ
 * requests passed to malloc, the RAW domain), with the arena count; below it util = L / M with its running-peak
 * counterpart max L / max M. Marks (and the peak) are vertical lines; after an {@code exit} mark, the
 * interpreter's shutdown is shaded. Drawn from timeline.csv and marks.csv alone.
 */
public record FootprintChart(Path reportDir, String title, ChartStyle style) {
    public static final String FILE = "footprint.png";
    private static final double MIB = 1024.0 * 1024.0;
    private static final String[] LAYERS = {"requested_bytes", "internal_frag_bytes", "available_bytes",
        "unused_pool_bytes", "overhead_bytes", "raw_bytes", "raw_domain_bytes"};
    /** The legend: words first, the symbol of README and the page's glossary after. */
    private static final String[] LAYER_NAMES = {"live data (L)", "rounding up to size classes (Iq)",
        "free blocks in pools in use (F)", "empty pools (E)", "pool headers, tails, alignment (Hd+Q+A)",
        "outside pymalloc: MEM/OBJ requests passed to malloc", "outside pymalloc: RAW domain"};

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
        double firstX = rows.isEmpty() ? 0 : x(rows.get(0), byTime);
        double highest = 0;
        double arenaMiB = 0;  // one arena, in MiB: from any row with arenas
        for (CSVRecord r : rows) {
            double x = x(r, byTime);
            if (x <= lastX) {
                continue;  // two samples at one instant: keep the first
            }
            lastX = x;
            double top = 0;
            for (int i = 0; i < LAYERS.length; i++) {
                // timeline.csv written before the heap columns existed has no raw layers: they are 0 there
                top += (r.isMapped(LAYERS[i]) ? CsvRows.num(r, LAYERS[i]) : 0) / MIB;
                layerSeries[i].add(x, top, false);  // stacked: each layer's top edge
            }
            highest = Math.max(highest, top);
            double n = CsvRows.num(r, "arenas");
            if (n > 0 && arenaMiB == 0) {
                arenaMiB = CsvRows.num(r, "arena_bytes") / n / MIB;
            }
            arenas.add(x, n, false);
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
        NumberAxis mib = new NumberAxis("MiB (stacked)");
        XYPlot top = new XYPlot(layers, null, mib, area);
        NumberAxis arenaAxis = new NumberAxis("arenas (the black line: M = arenas × arena size)");
        arenaAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        if (arenaMiB > 0 && highest > 0) {
            // Both axes to one scale, so that the arena line runs along the top of the arena layers (M) and
            // parts pymalloc's arenas from the memory above them that bypasses pymalloc.
            double upper = highest * 1.05;
            mib.setRange(0, upper);
            arenaAxis.setRange(0, upper / arenaMiB);
        }
        top.setRangeAxis(1, arenaAxis);
        XYLineAndShapeRenderer arenaLine = new XYLineAndShapeRenderer(true, false);
        arenaLine.setDrawSeriesLineAsPath(true);
        arenaLine.setSeriesPaint(0, style.arenas());
        arenaLine.setSeriesStroke(0, style.line());
        top.setRenderer(1, arenaLine);  // before the dataset: the stacked renderer cannot range a plain series
        top.setDataset(1, new XYSeriesCollection(arenas));
        top.mapDatasetToRangeAxis(1, 1);
        top.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);  // the arena line over the layers
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
        MarkLines.add(top, reportDir, byTime, firstX, lastX, style);
        JFreeChart chart = new JFreeChart(title, style.titleFont(), combined, true);
        style.apply(chart);
        style.write(chart, reportDir.resolve(FILE));
    }

    private static double x(CSVRecord r, boolean byTime) {
        return MarkLines.x(r, byTime);
    }
}
