package pyalloc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pyalloc.obmalloc.Policies;
import pyalloc.obmalloc.profile.ProfileChoice;
import pyalloc.obmalloc.profile.ProfileSpec;
import pyalloc.replay.Replay;
import pyalloc.replay.ReplayOptions;
import pyalloc.replay.ReportFolder;
import pyalloc.report.Emit;
import pyalloc.report.ReportSink;
import pyalloc.report.StandardOutput;
import pyalloc.stats.RunResult;
import pyalloc.stats.Snapshot;
import pyalloc.trace.TraceSource;

/** {@code pyalloc replay}: the main job. */
@Command(name = "replay", sortOptions = false, mixinStandardHelpOptions = true,
        description = {
            "Replays an allocation trace through an exact simulation of CPython's pymalloc and reports"
                    + " fragmentation: a summary on standard output, CSV files and PNG charts in a report folder."
                    + " Several traces: one report each, in one run.",
            "",
            "The trace is binary (.pyat, what 'pyalloc record' writes) or CSV (op,ptr,size,new_ptr,domain,ns,label),"
                    + " plain or gzip, told by its content; or - for standard input. At every 'mark' and at the end,"
                    + " pyalloc takes a full snapshot of the allocator."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pyalloc replay traces/cache-3.12.pyat",
            "      replay with the profile named in the trace; report in reports/cache-3.12/",
            "  pyalloc replay app.pyat --profile cpython-3.9 -o /tmp/app-3.9",
            "      the same program under 3.9's allocator (4 KiB pools, 256 KiB arenas)",
            "  pyalloc replay app.pyat --pool-size 4K --arena-size 256K -o /tmp/whatif",
            "      what if 3.12 had kept 3.9's pool and arena sizes?",
            "  pyalloc replay app.pyat --emit debugmallocstats --no-report",
            "      print CPython's own sys._debugmallocstats() layout at every mark",
            "  gzip -dc big.csv.gz | pyalloc replay - -q -o reports/big",
            "      read standard input; print nothing; exit code tells success",
            "  pyalloc replay app.pyat --arena-policy address-ordered --release-policy keep-2",
            "      what if pools came from the lowest arena, and two empty arenas were kept?",
            "  pyalloc replay traces/*.pyat --emit csv > runs.csv",
            "      one report per trace (reports/<name>/), and one summary.csv row each on standard output",
            "",
            "Report files: index.html (the report as one page: open it in a browser), findings.csv, summary.csv,"
                    + " marks.csv, classes.csv, arenas.csv, timeline.csv, arenas-over-time.csv, classes-over-time.csv,"
                    + " anomalies.csv, footprint.png, classes.png, arenas.png, arenas-over-time.png,"
                    + " classes-over-time.png and the charts' .svg; for a trace with call sites also sites.csv,"
                    + " arena_sites.csv, site_timeline.csv, sites.png (columns: see README).",
            "Java options: PYALLOC_JAVA_OPTS (e.g. PYALLOC_JAVA_OPTS=-Xmx8g for huge live sets)."})
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "TRACE",
            description = "Trace file (.pyat, .csv or .csv.gz), or - for standard input; several are replayed one after"
                    + " another.")
    List<String> traces;

    @Mixin
    ProfileOptions profileOptions;

    @Mixin
    PolicyOptions policyOptions;

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR",
            description = "Report folder (replaced only when the new report is complete). Default: reports/<trace name>."
                    + " With several traces, the folder that holds DIR/<trace name> for each.")
    Path outputDir;

    @Option(names = "--no-report", description = "Write no report folder (standard output only).")
    boolean noReport;

    @Option(names = "--no-charts", description = "Write the CSV files but no PNG charts.")
    boolean noCharts;

    @Option(names = "--snapshot", paramLabel = "LABEL",
            description = "The snapshot classes.png and arenas.png show: a mark's label, peak or end (default: exit"
                    + " when the trace has that mark, else peak).")
    String snapshot;

    @Option(names = "--emit", paramLabel = "WHAT", defaultValue = "summary",
            description = "Standard output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). debugmallocstats"
                    + " prints '# mark LABEL' then CPython's _PyObject_DebugMallocStats layout at every mark, then '# end';"
                    + " csv prints each trace's summary.csv row (the header once).")
    Emit emit;

    @Mixin
    RunOptions run = new RunOptions();

    @Option(names = "--stats", description = "Also print events, wall time, events/s and CPU time on standard error.")
    boolean stats;

    /** Warns, once the replay has met every mark, when --snapshot names none of the report's snapshots. */
    private static final class SnapshotCheck implements ReportSink {
        private final String wanted;
        private final PrintWriter err;
        private final Set<String> labels = new LinkedHashSet<>();

        SnapshotCheck(String wanted, PrintWriter err) {
            this.wanted = wanted;
            this.err = err;
        }

        @Override
        public void onMark(Snapshot s) {
            labels.add(s.label());
        }

        @Override
        public void onEnd(RunResult r) {
            if (r.peak() != null) {
                labels.add(Snapshot.PEAK);
            }
            labels.add(Snapshot.END);
            if (!labels.contains(wanted)) {
                String fallback = labels.contains(Snapshot.EXIT) ? Snapshot.EXIT
                        : labels.contains(Snapshot.PEAK) ? Snapshot.PEAK : Snapshot.END;
                err.println("pyalloc replay: warning: --snapshot: no snapshot \"" + wanted + "\" in this trace (it has "
                        + String.join(", ", labels) + "); classes.png and arenas.png show " + fallback);
            }
        }
    }

    /** The trace being replayed, for error messages. */
    private String current;

    String traceName() {
        return current != null ? current : TraceSource.of(traces.get(0)).name();
    }

    /**
     * The process's CPU time from the replay's start to its end (reading, model, JIT and GC threads; no report):
     * on a machine others share, wall time says little, CPU time still says what the replay cost.
     */
    private static final class CpuClock implements ReportSink {
        private final long start = processCpuNanos();
        private long end = -1;

        private static long processCpuNanos() {
            java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();
            return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        }

        @Override
        public void onEnd(RunResult result) {
            end = processCpuNanos();
        }

        double seconds() {
            return start < 0 || end < 0 ? 0 : (end - start) / 1e9;
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        run.validate();
        Emit emitted = run.quiet ? Emit.none : emit;
        ProfileSpec profileSpec = profileOptions.spec();
        Policies policies = policyOptions.policies();
        List<TraceSource> sources = traces.stream().map(TraceSource::of).toList();
        List<Path> targets = targets(sources);
        for (int i = 0; i < sources.size(); i++) {
            current = sources.get(i).name();
            replay(sources.get(i), targets.get(i), profileSpec, policies, emitted, i == 0, out, err);
        }
        return ExitCode.OK;
    }

    /**
     * Returns each trace's report folder: {@code -o} or reports/<stem> for one trace, {@code -o}/<stem> or
     * reports/<stem> for several; refuses two traces that would write one folder, before any is replayed.
     */
    private List<Path> targets(List<TraceSource> sources) {
        if (sources.stream().filter(TraceSource::isStdin).count() > 1) {
            throw new PyallocException(ExitCode.USAGE, "standard input (-) can be read only once");
        }
        if (sources.size() == 1) {
            return List.of(outputDir != null ? outputDir : Path.of("reports", sources.get(0).stem()));
        }
        Path parent = outputDir != null ? outputDir : Path.of("reports");
        List<Path> targets = new ArrayList<>();
        Map<Path, String> seen = new HashMap<>();
        for (TraceSource s : sources) {
            Path target = parent.resolve(s.stem());
            String before = seen.putIfAbsent(target.toAbsolutePath().normalize(), s.name());
            if (before != null && !noReport) {
                throw new PyallocException(ExitCode.USAGE, "traces " + before + " and " + s.name()
                        + " would both write the report " + target + " (give them different names)");
            }
            targets.add(target);
        }
        return targets;
    }

    /** Replays one trace into its report folder and standard output. */
    private void replay(TraceSource source, Path target, ProfileSpec profileSpec, Policies policies, Emit emitted,
            boolean first, PrintWriter out, PrintWriter err) throws IOException {
        double pinnedBelow = run.pinnedBelow();
        try (Replay replay = Replay.open(source, run.lenient())) {
            ProfileChoice choice = replay.choose(profileSpec);
            if (!run.quiet) {
                if (choice.warning() != null) {
                    err.println("pyalloc replay: warning: " + source.name() + ": " + choice.warning());
                }
                replay.reader().warnings().forEach(w -> err.println("pyalloc replay: warning: " + w));
            }
            ReplayOptions options = new ReplayOptions(choice.profile(), policies, run.samples, pinnedBelow,
                    run.strict(), false);
            Progress progress = new Progress(err, run.progress());
            try (ReportFolder report = noReport ? null : new ReportFolder(target,
                    source.stem() + " (" + options.id() + ")", source.name(), options.id(), pinnedBelow, !noCharts,
                    snapshot)) {
                List<ReportSink> sinks = new ArrayList<>(List.of(progress));
                CpuClock cpu = stats ? new CpuClock() : null;
                if (cpu != null) {
                    sinks.add(0, cpu);  // first: it stops when the replay ends, before any report is written
                }
                if (snapshot != null && report != null && !noCharts && !run.quiet) {
                    sinks.add(new SnapshotCheck(snapshot, err));
                }
                if (report != null) {
                    sinks.add(report);  // before standard output: the summary names a report that is in place
                }
                sinks.add(emitted.sink(out, pinnedBelow, report == null ? null : target + "/", first));
                RunResult result = replay.run(options, choice.note(), ReportSink.all(sinks));
                // What the reader found at the end of the trace (a binary trace without its end record, the rest
                // of a trace --lenient left out): events the replay did not get, said even with -q.
                List<String> late = replay.reader().endWarnings();
                late.forEach(w -> err.println("pyalloc replay: warning: " + w));
                if (!run.quiet) {
                    if (emitted != Emit.summary && result.anomalies().total() > 0) {
                        err.println("pyalloc replay: " + source.name() + ": " + result.anomalies().total()
                                + " anomalies (see anomalies.csv)");
                    }
                    replay.reader().skippedExamples().forEach(m -> err.println("pyalloc replay: skipped " + m));
                }
                if (stats) {
                    err.printf(java.util.Locale.ROOT, "pyalloc replay: %s: %d events in %.3f s, %.0f events/s%n",
                            source.name(), result.events(), result.nanos() / 1e9, result.eventsPerSecond());
                    if (cpu.seconds() > 0) {
                        err.printf(java.util.Locale.ROOT, "pyalloc replay: CPU %.3f s on all threads, %.0f events"
                                + " per CPU second%n", cpu.seconds(), result.events() / cpu.seconds());
                    }
                }
                StandardOutput.check(out);
            }
        }
    }
}
