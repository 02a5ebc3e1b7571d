package pyalloc.report.chart;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import pyalloc.report.csv.ClassesOverTimeCsv;

/**
 * {@code classes-over-time.png}: a heat map of size-class utilization (blocks in use / capacity of the class's
 * pools in use), one row per size class, time across: a light band is a class whose pools are mostly free
 * blocks, memory no other class can use. White: the class has no pool in use. Drawn from classes-over-time.csv
 * (and the marks from marks.csv).
 */
public record ClassesOverTimeChart(Path reportDir, String title, ChartStyle style) {
    public static final String FILE = "classes-over-time.png";

    public void render() throws IOException {
        Path csv = reportDir.resolve(ClassesOverTimeCsv.FILE);
        if (!Files.exists(csv)) {
            return;  // a report written before this chart existed
        }
        Heatmap.Moments moments = Heatmap.Moments.read(csv);
        Heatmap.Cells cells = new Heatmap.Cells();
        TreeMap<Integer, String> sizes = new TreeMap<>();
        for (int k = 0; k < moments.rows().size(); k++) {
            for (CSVRecord r : moments.rows().get(k)) {
                int c = Integer.parseInt(r.get("class"));
                sizes.put(c, r.get("block_size_bytes") + " B");
                cells.add(moments.x()[k], moments.end()[k], c - 0.5, c + 0.5,
                        Heatmap.BLUES.at(CsvRows.num(r, "util_pct") / 100));
            }
        }
        int classes = sizes.isEmpty() ? 1 : sizes.lastKey() + 1;
        String[] labels = new String[classes];
        for (int c = 0; c < classes; c++) {
            labels[c] = sizes.getOrDefault(c, "");
        }
        NumberAxis x = new NumberAxis(moments.byTime() ? "time (ms)" : "events");
        x.setRange(0, moments.last());
        SymbolAxis y = new SymbolAxis("size class (block size)", labels);
        y.setGridBandsVisible(false);
        y.setRange(-0.5, classes - 0.5);
        LegendItemCollection legend = new LegendItemCollection();
        legend.add(Heatmap.item("utilization: blocks in use / blocks the class's pools in use hold (scale at right)",
                Heatmap.BLUES.at(0.7)));
        legend.add(Heatmap.item("no pool of the class in use", Color.WHITE));
        XYPlot plot = cells.plot(x, y, style, legend);
        MarkLines.add(plot, reportDir, moments.byTime(), 0, moments.last(), style);
        JFreeChart chart = Heatmap.chart(title, plot, Heatmap.BLUES, "utilization (%)", style);
        style.write(chart, reportDir.resolve(FILE));
    }
}
