package pyalloc.report.chart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.stats.Snapshot;

/**
 * The snapshots on a chart's time axis, from marks.csv: a labelled dashed line at every mark and at the peak,
 * and after an {@code exit} mark the interpreter's shutdown shaded.
 */
final class MarkLines {
    /** More marks than this are not drawn: their labels would be illegible. */
    private static final int MOST = 40;

    private MarkLines() {
    }

    /** Returns a timeline-like row's x: trace time in ms, or the event index. */
    static double x(CSVRecord r, boolean byTime) {
        return byTime ? CsvRows.num(r, "ns") / 1e6 : CsvRows.num(r, "event");
    }

    /** Adds the lines to {@code plot}, whose x axis runs from {@code firstX} to {@code lastX}. */
    static void add(XYPlot plot, Path reportDir, boolean byTime, double firstX, double lastX, ChartStyle style)
            throws IOException {
        Path marks = reportDir.resolve(SnapshotCsv.MARKS);
        if (!Files.exists(marks)) {
            return;
        }
        List<CSVRecord> rows = CsvRows.read(marks, r -> !r.get("line").isEmpty());
        for (CSVRecord r : rows) {
            if (r.get("snapshot").equals(Snapshot.EXIT)) {
                // what follows is the interpreter's shutdown, not the program: veiled, and said so
                IntervalMarker shutdown = new IntervalMarker(x(r, byTime), lastX, style.shutdown());
                shutdown.setLabel("interpreter shutdown");
                shutdown.setLabelFont(style.labelFont());
                shutdown.setLabelAnchor(RectangleAnchor.TOP_LEFT);
                shutdown.setLabelTextAnchor(TextAnchor.TOP_LEFT);
                shutdown.setLabelOffset(new RectangleInsets(3 + 17 * 3, 6, 3, 3));
                plot.addDomainMarker(shutdown, Layer.FOREGROUND);
                break;
            }
        }
        if (rows.size() > MOST) {
            return;
        }
        double span = Math.max(lastX - firstX, 1e-9);
        double[] rowEnds = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        List<CSVRecord> byX = new ArrayList<>(rows);
        byX.sort(Comparator.comparingDouble(r -> x(r, byTime)));
        for (CSVRecord r : byX) {
            double at = x(r, byTime);
            // A label sits left of its line; one closer than about a label's width to the one before goes a
            // row lower, so that neighbouring marks stay legible.
            int row = 0;
            while (row < rowEnds.length - 1 && at - rowEnds[row] < span * 0.08) {
                row++;
            }
            rowEnds[row] = at;
            ValueMarker m = new ValueMarker(at, style.mark(), style.dashed());
            m.setLabel(r.get("snapshot"));
            m.setLabelFont(style.labelFont());
            m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            m.setLabelOffset(new RectangleInsets(3 + 17 * row, 3, 3, 3));
            plot.addDomainMarker(m);
        }
    }
}
