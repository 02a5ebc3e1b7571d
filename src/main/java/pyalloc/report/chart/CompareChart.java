package pyalloc.report.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import pyalloc.report.ComparisonContext;
import pyalloc.report.ComparisonSink;
import pyalloc.report.csv.CompareCsv;
import pyalloc.report.csv.TimelineCsv;
import pyalloc.stats.RunResult;

/**
 * {@code compare.png}: the arena bytes M of every configuration over time, one line each, with the requested bytes L
 * for reference. Configurations whose lines are identical share one line and one legend entry (3.10 to 3.15 often
 * do); the legend lists them by peak M, highest first, so it reads top down like the lines, and each line is drawn
 * narrower than the one before, over it, so that coinciding lines stay visible. Drawn from compare.csv and each
 * configuration's timeline.csv alone.
 */
public record CompareChart(Path dir, String title, ChartStyle style) {
    public static final String FILE = "compare.png";
    private static final double MIB = 1024.0 * 1024.0;

    /** The comparison output: the chart, drawn once compare.csv and the reports are written. */
    public static ComparisonSink sink(ComparisonContext context) {
        return (List<RunResult> results) -> {
            if (context.charts()) {
                named(context.dir(), context.title()).render();
            }
        };
    }

    /** Returns the chart of the comparison folder {@code dir}, titled after {@code name} (the trace's stem). */
    public static CompareChart named(Path dir, String name) {
        return new CompareChart(dir, "Arena bytes M over time, per configuration: " + name, ChartStyle.DEFAULT);
    }

    /** One configuration's history, read from its timeline.csv. */
    private record Line(List<String> ids, double[] x, double[] m, double[] l, double peak) {
        boolean sameAs(Line o) {
            return Arrays.equals(x, o.x) && Arrays.equals(m, o.m);
        }
    }

    /** Renders the chart to {@code compare.png} in the comparison folder. */
    public void render() throws IOException {
        List<CSVRecord> configurations = CsvRows.read(dir.resolve(CompareCsv.FILE), r -> true);
        List<String> ids = configurations.stream().map(r -> r.get("profile")).toList();
        boolean byTime = false;
        List<Line> lines = new ArrayList<>();
        for (CSVRecord c : configurations) {
            String id = c.get("profile");
            List<CSVRecord> rows = CsvRows.read(dir.resolve(id).resolve(TimelineCsv.FILE), r -> true);
            byTime = !rows.isEmpty() && !rows.get(0).get("ns").isEmpty();
            // The peak from the run itself: samples may fall beside it.
            Line line = read(id, rows, byTime, CsvRows.num(c, "peak_arena_bytes"));
            Line same = lines.stream().filter(line::sameAs).findFirst().orElse(null);
            if (same != null) {
                same.ids().add(id);
            } else {
                lines.add(line);
            }
        }
        boolean oneL = lines.stream().allMatch(x -> Arrays.equals(x.l(), lines.get(0).l()));
        String baseline = ids.get(0);
        lines.sort(Comparator.comparingDouble(Line::peak).reversed());

        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setDrawSeriesLineAsPath(true);
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            XYSeries s = new XYSeries(label(line, baseline), false, true);
            for (int k = 0; k < line.x().length; k++) {
                s.add(line.x()[k], line.m()[k] / MIB, false);
            }
            data.addSeries(s);
            renderer.setSeriesPaint(i, style.series(i));
            renderer.setSeriesStroke(i, style.seriesStroke(i));
        }
        Line first = lines.stream().filter(x -> x.ids().contains(baseline)).findFirst().orElseThrow();
        XYSeries requested = new XYSeries(oneL ? "requested bytes L" : "requested bytes L of " + baseline, false,
                true);
        for (int k = 0; k < first.x().length; k++) {
            requested.add(first.x()[k], first.l()[k] / MIB, false);
        }
        data.addSeries(requested);
        int r = lines.size();
        renderer.setSeriesPaint(r, new Color(0x777777));
        renderer.setSeriesStroke(r, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {4f, 4f}, 0f));

        NumberAxis x = new NumberAxis(byTime ? "time (ms)" : "events");
        NumberAxis y = new NumberAxis("arena bytes M (MiB)");
        y.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);  // the widest line first, narrower ones over it
        style.apply(plot);
        JFreeChart chart = new JFreeChart(title, style.titleFont(), plot, true);
        style.apply(chart);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        style.write(chart, dir.resolve(FILE));
    }

    private static Line read(String id, List<CSVRecord> rows, boolean byTime, double peak) {
        double[] x = new double[rows.size()];
        double[] m = new double[rows.size()];
        double[] l = new double[rows.size()];
        int n = 0;
        double lastX = Double.NEGATIVE_INFINITY;
        for (CSVRecord row : rows) {
            double at = byTime ? CsvRows.num(row, "ns") / 1e6 : CsvRows.num(row, "event");
            if (at <= lastX) {
                continue;  // two samples at one instant: keep the first
            }
            lastX = at;
            x[n] = at;
            m[n] = CsvRows.num(row, "arena_bytes");
            l[n] = CsvRows.num(row, "requested_bytes");
            n++;
        }
        return new Line(new ArrayList<>(List.of(id)), Arrays.copyOf(x, n), Arrays.copyOf(m, n), Arrays.copyOf(l, n),
                peak);
    }

    /** Returns the legend entry: the ids sharing the line (later ones without their common prefix), its peak. */
    private static String label(Line line, String baseline) {
        StringBuilder sb = new StringBuilder(line.ids().get(0));
        for (String id : line.ids().subList(1, line.ids().size())) {
            sb.append(" = ").append(id.startsWith("cpython-") ? id.substring(8) : id);
        }
        if (line.ids().contains(baseline)) {
            sb.append(" (baseline)");
        }
        return sb.append(String.format(Locale.ROOT, ": peak %.2f MiB", line.peak() / MIB)).toString();
    }
}
