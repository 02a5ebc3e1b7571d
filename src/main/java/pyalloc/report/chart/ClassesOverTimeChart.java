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
 * blocks, memory no other class can use. Grey: a single pool in use; white: none. Drawn from
 * classes-over-time.csv (and the marks from marks.csv).
 */
public record ClassesOverTimeChart(Path reportDir, String title, ChartStyle style) {
    public static final String FILE = "classes-over-time.png";
    private static final Color ONE_POOL = new Color(0xDDDDDD);

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
                // A class with one pool in use wastes at most that pool, whatever its utilization: grey, so that
                // the eye goes to the classes whose many pools are mostly free blocks.
                cells.add(moments.x()[k], moments.end()[k], c - 0.5, c + 0.5, r.get("pools").equals("1")
                        ? ONE_POOL : Heatmap.BLUES.at(CsvRows.num(r, "util_pct") / 100));
            }
        }
        int classes = sizes.isEmpty() ? 1 : sizes.lastKey() + 1;
        // Class c holds blocks of (c + 1) × alignment bytes: any row gives the alignment, so rows of classes the
        // trace never used are named too.
        int alignment = sizes.isEmpty() ? 0 : Integer.parseInt(sizes.firstEntry().getValue().replace(" B", ""))
                / (sizes.firstKey() + 1);
        String[] labels = new String[classes];
        for (int c = 0; c < classes; c++) {
            labels[c] = sizes.getOrDefault(c, (c + 1) * alignment + " B");
        }
        NumberAxis x = new NumberAxis(moments.byTime() ? "time (ms)" : "events");
        x.setRange(0, moments.last());
        SymbolAxis y = new SymbolAxis("size class (block size)", labels);
        y.setGridBandsVisible(false);
        y.setRange(-0.5, classes - 0.5);
        LegendItemCollection legend = new LegendItemCollection();
        legend.add(Heatmap.item("utilization: blocks in use / blocks the class's pools in use hold (scale at right)",
                Heatmap.BLUES.at(0.7)));
        legend.add(Heatmap.item("a single pool in use (at most a pool of free blocks)", ONE_POOL));
        legend.add(Heatmap.item("no pool of the class in use", Color.WHITE));
        XYPlot plot = cells.plot(x, y, style, legend);
        MarkLines.add(plot, reportDir, moments.byTime(), 0, moments.last(), style);
        JFreeChart chart = Heatmap.chart(title, plot, Heatmap.BLUES, "utilization (%)", style);
        style.writeRaster(chart, reportDir.resolve(FILE));
    }
}
