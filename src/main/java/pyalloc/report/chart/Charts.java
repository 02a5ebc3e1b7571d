package pyalloc.report.chart;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportSink;
import pyalloc.stats.RunResult;

/**
 * The report's PNG charts, drawn from its CSV files alone once they are complete (so that {@code pyalloc chart}
 * redraws the same pictures without a replay). Registered after the CSV outputs.
 */
public final class Charts implements ReportSink {

    /**
     * A chart drawn from a report folder's CSV files; {@code at} is the snapshot the per-class and per-arena
     * charts show.
     */
    @FunctionalInterface
    interface Chart {
        void render(Path reportDir, String name, ChartedSnapshot at, ChartStyle style) throws IOException;
    }

    /**
     * The charts besides the footprint chart, one line each. The footprint chart takes as long as these
     * together (much of it loading Java2D and JFreeChart): it gets a thread of its own.
     */
    private static final List<Chart> OTHERS = List.of(
            (dir, name, at, style) -> new ClassesChart(dir, "Size classes " + at.phrase() + ": " + name, at.label(),
                    style).render(),
            (dir, name, at, style) -> new ArenasChart(dir, "Arenas and their pools " + at.phrase() + ": " + name,
                    at.label(), style).render(),
            (dir, name, at, style) -> new ArenasOverTimeChart(dir, "Arena occupancy over time: " + name, style)
                    .render(),
            (dir, name, at, style) -> new ClassesOverTimeChart(dir, "Size-class utilization over time: " + name,
                    style).render(),
            (dir, name, at, style) -> new SitesChart(dir, "Live bytes of the leading call sites: " + name, style)
                    .render());

    private final ReportContext context;

    public Charts(ReportContext context) {
        this.context = context;
    }

    @Override
    public void onEnd(RunResult result) throws IOException {
        if (context.charts()) {
            draw(context.dir(), context.title(), ChartedSnapshot.choose(context.dir(), context.snapshot(), false));
        }
    }

    /**
     * Draws every chart from the CSV files in {@code dir}; {@code name} goes into the titles, {@code at} is the
     * snapshot the per-class and per-arena charts show ({@link ChartedSnapshot#choose}).
     */
    public static void draw(Path dir, String name, ChartedSnapshot at) throws IOException {
        ChartStyle style = ChartStyle.DEFAULT;
        FutureTask<Void> footprint = new FutureTask<>(() -> {
            new FootprintChart(dir, "Python heap over time: " + name, style).render();
            return null;
        });
        new Thread(footprint, "pyalloc-footprint-chart").start();
        Throwable failure = null;
        try {
            for (Chart c : OTHERS) {
                c.render(dir, name, at, style);
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        }
        try {
            footprint.get();  // always waited for: nothing may still write into the report once this returns
        } catch (ExecutionException e) {
            if (failure == null) {
                failure = e.getCause();
            } else {
                failure.addSuppressed(e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while drawing the charts");
        }
        if (failure instanceof IOException io) {
            throw io;
        } else if (failure instanceof RuntimeException re) {
            throw re;
        } else if (failure instanceof Error err) {
            throw err;
        } else if (failure != null) {
            throw new UncheckedIOException(new IOException(failure));
        }
    }
}
