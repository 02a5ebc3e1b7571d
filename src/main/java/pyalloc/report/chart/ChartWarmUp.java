package pyalloc.report.chart;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYAreaRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Loads and runs once, on a spare thread while the replay runs, what the charts will need: Java2D, the fonts,
 * JFreeChart's plots and renderers and the PNG encoder. Cold, those take most of a report's chart time (about
 * 0.7 s of the 1 s after a small trace's replay), and the replay leaves a core idle for much of a small trace.
 * One is made as the replay starts, and {@link #poll} starts it once the replay has run a while.
 */
public final class ChartWarmUp {

    /** How long a replay runs before the warm-up starts. */
    private static final long DELAY_NANOS = 200_000_000L;

    private final long startAt = System.nanoTime() + DELAY_NANOS;
    private boolean started;

    /**
     * Starts the warm-up once the replay has run for {@link #DELAY_NANOS}; call it as the replay goes. A replay
     * shorter than that leaves the spare core too little time for it: the warm-up would still be drawing when
     * the real charts start, and slow them down (a two-row trace took 0.09 s longer).
     */
    public void poll() {
        if (!started && System.nanoTime() - startAt >= 0) {
            started = true;
            if (ONCE.compareAndSet(false, true)) {
                start();  // once per process: several reports (replay of many traces, compare) need one warm-up
            }
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean ONCE = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Starts the warm-up of {@link ChartStyle#DEFAULT} on a daemon thread; it never fails the run (the real charts
     * report any problem). The style is first touched on that thread too: its fonts start AWT's toolkit.
     */
    private static void start() {
        Thread t = new Thread(() -> {
            try {
                draw(ChartStyle.DEFAULT);
            } catch (Throwable e) {  // whatever it is, the charts themselves meet it again and report it
                // nothing here may print or fail the run
            }
        }, "pyalloc-chart-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static void draw(ChartStyle style) {
        XYSeries area = new XYSeries("area");
        XYSeries line = new XYSeries("line");
        for (int x = 0; x < 50; x++) {
            area.add(x, x % 7);
            line.add(x, 50 - x);
        }
        XYAreaRenderer areas = new XYAreaRenderer(XYAreaRenderer.AREA);
        areas.setSeriesPaint(0, style.layer(0));
        XYPlot top = new XYPlot(new XYSeriesCollection(area), null, new NumberAxis("MiB"), areas);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        lines.setDrawSeriesLineAsPath(true);
        lines.setSeriesStroke(0, style.dashed());
        XYPlot bottom = new XYPlot(new XYSeriesCollection(line), null, new NumberAxis("%"), lines);
        ValueMarker mark = new ValueMarker(25);
        mark.setLabel("mark");
        top.addDomainMarker(mark);
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(new NumberAxis("time"));
        combined.add(top, 3);
        combined.add(bottom, 1);
        style.apply(top);
        render(new JFreeChart("warm-up", style.titleFont(), combined, true), style);

        DefaultCategoryDataset bars = new DefaultCategoryDataset();
        bars.addValue(1, "a", "16");
        bars.addValue(2, "b", "32");
        render(new JFreeChart("warm-up", style.titleFont(),
                new CategoryPlot(bars, new CategoryAxis("class"), new NumberAxis("blocks"),
                        style.bars(style.layer(0), style.layer(1))), true), style);
    }

    private static void render(JFreeChart chart, ChartStyle style) {
        style.apply(chart);
        ChartStyle.png(chart, 240, 160).toBytes();
    }
}
