package pyalloc.cli;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pyalloc.Failures;
import pyalloc.Replay;
import pyalloc.report.ReportDir;
import pyalloc.report.chart.ArenasChart;
import pyalloc.report.chart.ChartStyle;
import pyalloc.report.chart.ChartWarmUp;
import pyalloc.report.chart.ClassesChart;
import pyalloc.report.chart.FootprintChart;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.report.csv.SummaryCsv;
import pyalloc.report.csv.TimelineCsv;
import pyalloc.report.text.DebugMallocStatsText;
import pyalloc.report.text.SummaryText;
import pyalloc.stats.Snapshot;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;

/** {@code pyalloc replay}: the main job. */
@Command(name = "replay", sortOptions = false, mixinStandardHelpOptions = true,
        description = {
            "Replays an allocation trace through an exact simulation of CPython's pymalloc and reports"
                    + " fragmentation: a summary on standard output, CSV files and PNG charts in a report folder.",
            "",
            "The trace is CSV (op,ptr,size,new_ptr,domain,ns,label), plain or gzip, or - for standard input."
                    + " At every 'mark' row and at the end, pyalloc takes a full snapshot of the allocator."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pyalloc replay traces/cache-3.12.csv.gz",
            "      replay with the profile named in the trace; report in reports/cache-3.12/",
            "  pyalloc replay app.csv.gz --profile cpython-3.9 -o /tmp/app-3.9",
            "      the same program under 3.9's allocator (4 KiB pools, 256 KiB arenas)",
            "  pyalloc replay app.csv.gz --pool-size 4K --arena-size 256K -o /tmp/whatif",
            "      what if 3.12 had kept 3.9's pool and arena sizes?",
            "  pyalloc replay app.csv.gz --emit debugmallocstats --no-report",
            "      print CPython's own sys._debugmallocstats() layout at every mark",
            "  gzip -dc big.csv.gz | pyalloc replay - -q -o reports/big",
            "      read standard input; print nothing; exit code tells success",
            "",
            "Report files: summary.csv, marks.csv, classes.csv, arenas.csv, timeline.csv, anomalies.csv,"
                    + " footprint.png, classes.png, arenas.png (columns: see README).",
            "Java options: PYALLOC_JAVA_OPTS (e.g. PYALLOC_JAVA_OPTS=-Xmx8g for huge live sets)."})
public final class ReplayCommand implements Callable<Integer> {

    /** What goes to standard output. */
    enum Emit { summary, debugmallocstats, none }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRACE", description = "Trace file (.csv or .csv.gz), or - for standard input.")
    String trace;

    @Mixin
    ProfileOptions profileOptions;

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR",
            description = "Report folder (replaced only when the new report is complete). Default: reports/<trace name>.")
    Path outputDir;

    @Option(names = "--no-report", description = "Write no report folder (standard output only).")
    boolean noReport;

    @Option(names = "--no-charts", description = "Write the CSV files but no PNG charts.")
    boolean noCharts;

    @Option(names = "--emit", paramLabel = "WHAT", defaultValue = "summary",
            description = "Standard output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). debugmallocstats"
                    + " prints '# mark LABEL' then CPython's _PyObject_DebugMallocStats layout at every mark, then '# end'.")
    Emit emit;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success (same as --emit none, and no notes).")
    boolean quiet;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "1000",
            description = "Timeline samples, evenly spaced over the trace (between N and 2N kept; default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--pinned-below", paramLabel = "PCT", defaultValue = "25",
            description = "An arena with live blocks is 'pinned' below this occupancy, in percent (default ${DEFAULT-VALUE}).")
    double pinnedBelowPct;

    /** --strict and --lenient exclude each other. */
    static final class Strictness {
        @Option(names = "--strict", description = "Stop with exit code 5 at the first anomaly (free of an unknown pointer, ...).")
        boolean strict;

        @Option(names = "--lenient", description = "Skip malformed rows (counted in the report) instead of stopping.")
        boolean lenient;
    }

    @ArgGroup(exclusive = true)
    Strictness strictness = new Strictness();

    @Option(names = "--stats", description = "Also print events, wall time and events/s on standard error.")
    boolean stats;

    @Option(names = "--no-progress", description = "Never show the progress line (it shows only on a terminal anyway).")
    boolean noProgress;

    String traceName() {
        return TraceSource.of(trace).name();
    }

    /** Opens a trace for replay, parsing on both cores. */
    static TraceReader open(TraceSource source, boolean lenient) throws IOException {
        return TraceFormat.detect(source).openConcurrent(source, lenient);
    }

    @Override
    @SuppressWarnings("try")  // the snapshot files are closed early on purpose: complete before the commit
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (samples < 2) {
            throw new PyallocException(ExitCode.USAGE, "--samples must be at least 2");
        }
        if (!(pinnedBelowPct >= 0 && pinnedBelowPct <= 100)) {
            throw new PyallocException(ExitCode.USAGE, "--pinned-below must be a percentage from 0 to 100");
        }
        Emit emitted = quiet ? Emit.none : emit;
        profileOptions.validate();
        TraceSource source = TraceSource.of(trace);
        try (TraceReader reader = open(source, strictness.lenient)) {
            ProfileOptions.Choice choice = profileOptions.resolve(reader.headerComments());
            if (!quiet) {
                reader.warnings().forEach(w -> err.println("pyalloc replay: warning: " + w));
            }
            double pinnedBelow = pinnedBelowPct / 100;
            Replay.Options options = new Replay.Options(choice.profile(), samples, pinnedBelow, strictness.strict,
                    false);
            Path target = outputDir != null ? outputDir : Path.of("reports", source.stem());
            SummaryText summary = new SummaryText();
            Progress progress = new Progress(err, !quiet && !noProgress && Progress.onTerminal());
            try (ReportDir dir = noReport ? null : ReportDir.open(target);
                    SnapshotCsv snapshots = dir == null ? null : new SnapshotCsv(dir.dir(), pinnedBelow)) {
                ChartWarmUp warmUp = dir != null && !noCharts ? new ChartWarmUp() : null;
                Replay.Listener listener = new Replay.Listener() {
                    @Override
                    public void onMark(Snapshot s) {
                        summary.addMark(s);
                        writeSnapshot(snapshots, s);
                        if (emitted == Emit.debugmallocstats) {
                            out.print("# mark " + s.label() + "\n" + DebugMallocStatsText.format(s));
                        }
                    }

                    @Override
                    public void onProgress(long events) {
                        progress.update(events);
                        if (warmUp != null) {
                            warmUp.poll();
                        }
                    }
                };
                Replay.Result result = replay(options, reader, listener, source);
                progress.done();
                if (emitted == Emit.debugmallocstats) {
                    out.print("# end\n" + DebugMallocStatsText.format(result.end()));
                }
                String where = null;
                if (dir != null) {
                    snapshots.write(result.end());
                    snapshots.close();
                    writeReport(dir, source, result, reader.skippedRows());
                    dir.commit();
                    where = target + "/";
                }
                if (emitted == Emit.summary) {
                    out.print(summary.format(source.name(), choice.note(), result, pinnedBelow, where,
                            reader.skippedRows()));
                }
                if (!quiet) {
                    if (emitted != Emit.summary && result.anomalies().total() > 0) {
                        err.println("pyalloc replay: " + result.anomalies().total() + " anomalies (see anomalies.csv)");
                    }
                    reader.skippedExamples().forEach(m -> err.println("pyalloc replay: skipped " + m));
                }
                if (stats) {
                    err.printf(java.util.Locale.ROOT, "pyalloc replay: %d events in %.3f s, %.0f events/s%n",
                            result.events(), result.nanos() / 1e9, result.eventsPerSecond());
                }
                out.flush();
                return ExitCode.OK;
            }
        }
    }

    /** Runs the replay, turning heap exhaustion into a message instead of an OutOfMemoryError trace. */
    static Replay.Result replay(Replay.Options options, TraceReader reader, Replay.Listener listener,
            TraceSource source) throws IOException {
        try {
            return new Replay(options).run(reader, listener);
        } catch (OutOfMemoryError e) {
            long maxMiB = Runtime.getRuntime().maxMemory() >> 20;
            throw new PyallocException(ExitCode.OUT_OF_MEMORY, source.name() + ": the live blocks of this trace do"
                    + " not fit in the Java heap (" + maxMiB + " MiB); raise it, e.g. PYALLOC_JAVA_OPTS=-Xmx8g");
        }
    }

    private static void writeSnapshot(SnapshotCsv snapshots, Snapshot s) {
        if (snapshots == null) {
            return;
        }
        try {
            snapshots.write(s);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void writeReport(ReportDir dir, TraceSource source, Replay.Result result, long skipped)
            throws IOException {
        SummaryCsv.write(dir.dir(), source.name(), result, skipped);
        TimelineCsv.write(dir.dir().resolve(TimelineCsv.FILE), result.timeline());
        if (!noCharts) {
            drawCharts(dir.dir(), source.stem() + " (" + result.end().profile().id() + ")");
        }
    }

    /** Draws every chart from the CSV files in {@code dir}. */
    static void drawCharts(Path dir, String name) throws IOException {
        ChartStyle style = ChartStyle.DEFAULT;
        // The footprint chart takes as long as the two others together (much of it loading Java2D and
        // JFreeChart): it gets a thread of its own.
        FutureTask<Void> footprint = new FutureTask<>(() -> {
            new FootprintChart(dir, "pymalloc footprint over time: " + name, style).render();
            return null;
        });
        new Thread(footprint, "pyalloc-footprint-chart").start();
        Throwable failure = null;
        try {
            new ClassesChart(dir, "Size classes at the end: " + name, style).render();
            new ArenasChart(dir, "Arena occupancy at the end: " + name, style).render();
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
        if (failure != null) {
            Failures.rethrow(failure);
        }
    }
}
