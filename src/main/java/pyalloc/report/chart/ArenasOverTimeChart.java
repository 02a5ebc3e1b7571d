package pyalloc.report.chart;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import pyalloc.report.csv.ArenasOverTimeCsv;

/**
 * {@code arenas-over-time.png}: a heat map of arena occupancy, one row per arena slot (or per group of slots
 * when there are more than 128), time across. Full arenas are dark blue, emptier ones lighter; pinned arenas
 * (live blocks, occupancy under the threshold) are orange, so an arena that a few blocks hold for the rest of the
 * run is a long orange band; a mapped arena without a live block is grey, a slot without an arena white. Drawn
 * from arenas-over-time.csv (and the marks from marks.csv).
 */
public record ArenasOverTimeChart(Path reportDir, String title, ChartStyle style) {
    public static final String FILE = "arenas-over-time.png";
    /** Pinned cells darken up to this occupancy, the default pinned threshold (the CSV does not carry it). */
    private static final double PINNED_SCALE = 0.25;

    public void render() throws IOException {
        Path csv = reportDir.resolve(ArenasOverTimeCsv.FILE);
        if (!Files.exists(csv)) {
            return;  // a report written before this chart existed
        }
        Heatmap.Moments moments = Heatmap.Moments.read(csv);
        Heatmap.Cells cells = new Heatmap.Cells();
        int slots = 1;
        int top = 0;
        for (int k = 0; k < moments.rows().size(); k++) {
            for (CSVRecord r : moments.rows().get(k)) {
                int slot = Integer.parseInt(r.get("slot"));
                int n = Integer.parseInt(r.get("slots"));
                int arenas = Integer.parseInt(r.get("arenas"));
                int pinned = Integer.parseInt(r.get("pinned_arenas"));
                double occupancy = CsvRows.num(r, "occupancy_pct") / 100;
                Color colour = Long.parseLong(r.get("live_block_bytes")) == 0 ? Heatmap.EMPTY
                        // a group counts as pinned when at least half of its arenas are
                        : 2 * pinned >= arenas ? Heatmap.ORANGES.at(occupancy / PINNED_SCALE)
                        : Heatmap.BLUES.at(occupancy);
                // a row centred on its first slot's number, so that the axis' ticks name the rows
                cells.add(moments.x()[k], moments.end()[k], slot - 0.5, slot + n - 0.5, colour);
                slots = Math.max(slots, n);
                top = Math.max(top, slot + n);
            }
        }
        NumberAxis x = new NumberAxis(moments.byTime() ? "time (ms)" : "events");
        x.setRange(0, moments.last());
        NumberAxis y = new NumberAxis(slots == 1 ? "arena slot (index in the arenas vector)"
                : "arena slots, " + slots + " to a row (index in the arenas vector)");
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        y.setRange(-0.5, Math.max(top, 1) - 0.5);
        LegendItemCollection legend = new LegendItemCollection();
        legend.add(Heatmap.item("occupancy: live block bytes / arena size (scale at right)", Heatmap.BLUES.at(0.7)));
        legend.add(Heatmap.item("pinned: live blocks, occupancy under the threshold (darker: fuller, darkest from 25 %)",
                Heatmap.ORANGES.at(0.6)));
        legend.add(Heatmap.item("arena mapped, no live block", Heatmap.EMPTY));
        legend.add(Heatmap.item("no arena in the slot", Color.WHITE));
        XYPlot plot = cells.plot(x, y, style, legend);
        MarkLines.add(plot, reportDir, moments.byTime(), 0, moments.last(), style);
        JFreeChart chart = Heatmap.chart(title, plot, Heatmap.BLUES, "occupancy (%)", style);
        style.writeRaster(chart, reportDir.resolve(FILE));
    }
}
