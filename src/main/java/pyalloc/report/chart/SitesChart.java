package pyalloc.report.chart;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import pyalloc.report.csv.SitesCsv;

/**
 * {@code sites.png}: the live size-class bytes of the leading call sites over time, one line per site (the
 * {@link #LINES} with the most bytes at their peak). Drawn from site_timeline.csv alone, and only when the report
 * has it (a trace with call sites).
 */
public record SitesChart(Path reportDir, String title, ChartStyle style) {
    public static final String FILE = "sites.png";
    static final int LINES = 8;
    private static final double MIB = 1024.0 * 1024.0;
    /** Okabe-Ito and two greys: eight colours a reader can tell apart. */
    private static final List<Color> COLOURS = List.of(new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73),
            new Color(0xD55E00), new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x000000), new Color(0x999999));

    /** Renders sites.png when the report folder has site_timeline.csv; else does nothing. */
    public void render() throws IOException {
        Path csv = reportDir.resolve(SitesCsv.TIMELINE);
        if (!Files.exists(csv)) {
            return;
        }
        List<CSVRecord> rows = CsvRows.read(csv, r -> true);
        boolean byTime = !rows.isEmpty() && !rows.get(0).get("ns").isEmpty();
        Map<String, XYSeries> bySite = new LinkedHashMap<>();
        Map<String, Double> peak = new LinkedHashMap<>();
        for (CSVRecord r : rows) {
            String site = r.get("site");
            XYSeries s = bySite.computeIfAbsent(site, k -> new XYSeries(r.get("where") + " (site " + k + ")", false,
                    true));
            double x = byTime ? CsvRows.num(r, "ns") / 1e6 : CsvRows.num(r, "event");
            double bytes = CsvRows.num(r, "block_bytes");
            s.add(x, bytes / MIB, false);
            peak.merge(site, bytes, Math::max);
        }
        List<String> top = new ArrayList<>(peak.keySet());
        top.sort(Comparator.comparingDouble((String k) -> -peak.get(k)).thenComparing(k -> k));
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        lines.setDrawSeriesLineAsPath(true);
        for (int i = 0; i < Math.min(LINES, top.size()); i++) {
            data.addSeries(bySite.get(top.get(i)));
            lines.setSeriesPaint(i, COLOURS.get(i));
            lines.setSeriesStroke(i, style.line());
        }
        NumberAxis x = new NumberAxis(byTime ? "time (ms)" : "events");
        NumberAxis y = new NumberAxis("MiB in live blocks (size-class bytes)");
        XYPlot plot = new XYPlot(data, x, y, lines);
        style.apply(plot);
        JFreeChart chart = new JFreeChart(title, style.titleFont(), plot, true);
        style.apply(chart);
        style.write(chart, reportDir.resolve(FILE));
    }
}
