package pyalloc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pyalloc.obmalloc.Policies;
import pyalloc.obmalloc.profile.ProfileChoice;
import pyalloc.obmalloc.profile.ProfileSpec;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.replay.ComparisonFolder;
import pyalloc.replay.Configuration;
import pyalloc.replay.Replay;
import pyalloc.replay.ReplayOptions;
import pyalloc.report.ReportSink;
import pyalloc.report.csv.CompareCsv;
import pyalloc.report.csv.CsvTable;
import pyalloc.report.csv.SummaryCsv;
import pyalloc.report.text.CompareText;
import pyalloc.report.StandardOutput;
import pyalloc.stats.RunResult;
import pyalloc.trace.TraceSource;

/** {@code pyalloc compare}: one read of a trace replayed through many allocator configurations side by side. */
@Command(name = "compare", sortOptions = false, mixinStandardHelpOptions = true,
        description = {
            "Replays one trace through many allocator configurations in one pass: the trace is read and parsed once,"
                    + " and the models step side by side (on both cores). Each configuration's results are those"
                    + " 'pyalloc replay' gives for it alone.",
            "",
            "Every list option takes comma-separated values; the configurations are their cross product, in the"
                    + " order given (the first is the baseline). Output: one report folder per configuration (the"
                    + " files replay writes) plus compare.csv and compare.png, and on standard output the"
                    + " configurations ranked by peak arena bytes."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pyalloc compare traces/service-3.11.pyat --profile all",
            "      every modelled CPython version; report in reports/service-3.11-compare/",
            "  pyalloc compare app.pyat --profile 3.9,3.12 --arena-size 256K,1M",
            "      four configurations: 3.9 and 3.12, each with 256 KiB and with 1 MiB arenas",
            "  pyalloc compare app.pyat --arena-policy cpython,address-ordered,least-used-first",
            "      the trace's own version under three arena orders",
            "  pyalloc compare app.pyat --release-policy cpython,all,keep-4 --emit csv > releases.csv",
            "      three release rules; their summary rows on standard output",
            "",
            "Files: <DIR>/compare.csv (the columns of summary.csv, one row per configuration), <DIR>/compare.png,"
                    + " <DIR>/<configuration>/ (summary.csv, marks.csv, ... as replay writes them; see README)."})
public final class CompareCommand implements Callable<Integer> {

    /** What compare prints on standard output. */
    enum Output {
        /** The configurations ranked by peak arena bytes, with the difference to the first. */
        table,
        /** compare.csv's rows under its header. */
        csv,
        /** Nothing. */
        none
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRACE", description = "Trace file (.pyat, .csv or .csv.gz), or - for standard input.")
    String trace;

    @Option(names = {"-p", "--profile"}, paramLabel = "PROFILES", split = ",",
            description = "CPython versions to simulate, comma-separated: ${COMPLETION-CANDIDATES}, or all (every"
                    + " modelled version). Default: the trace's version.",
            completionCandidates = ProfileOptions.ProfileCandidates.class)
    List<String> profiles;

    @Option(names = "--arena-size", paramLabel = "BYTES", split = ",", converter = ByteSizeConverter.class,
            description = "What-if arena sizes, powers of two (e.g. 256K,1M).")
    List<Integer> arenaSizes;

    @Option(names = "--pool-size", paramLabel = "BYTES", split = ",", converter = ByteSizeConverter.class,
            description = "What-if pool sizes, powers of two (e.g. 4K,16K).")
    List<Integer> poolSizes;

    @Option(names = "--alignment", paramLabel = "8|16", split = ",", description = "What-if block alignments.")
    List<Integer> alignments;

    @Option(names = "--threshold", paramLabel = "BYTES", split = ",", converter = ByteSizeConverter.class,
            description = "What-if SMALL_REQUEST_THRESHOLD values.")
    List<Integer> thresholds;

    @Option(names = "--pool-aligned-arenas",
            description = "Where the trace has no arena_alloc rows, assume arenas start on a pool boundary (every"
                    + " configuration).")
    boolean poolAlignedArenas;

    @Option(names = "--arena-policy", paramLabel = "RULES", split = ",",
            completionCandidates = PolicyOptions.ArenaRules.class,
            description = "Arena orders: ${COMPLETION-CANDIDATES} (default: cpython).")
    List<String> arenaPolicies;

    @Option(names = "--release-policy", paramLabel = "RULES", split = ",",
            completionCandidates = PolicyOptions.ReleaseRules.class,
            description = "Arena release rules: ${COMPLETION-CANDIDATES} (default: cpython, the profile's own).")
    List<String> releasePolicies;

    @Option(names = "--pool-policy", paramLabel = "RULES", split = ",",
            completionCandidates = PolicyOptions.PoolRules.class,
            description = "Pool reuse rules: ${COMPLETION-CANDIDATES} (default: cpython).")
    List<String> poolPolicies;

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR",
            description = "Comparison folder (replaced only when the whole comparison is complete)."
                    + " Default: reports/<trace name>-compare.")
    Path outputDir;

    @Option(names = "--no-charts", description = "Write the CSV files but no PNG charts.")
    boolean noCharts;

    @Option(names = "--emit", paramLabel = "WHAT", defaultValue = "table",
            description = "Standard output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). csv prints"
                    + " compare.csv's rows.")
    Output emit;

    @Mixin
    RunOptions run = new RunOptions();

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads replaying the models (default: the number of cores; 1 replays them one after"
                    + " another on the reading thread).")
    Integer threads;

    @Option(names = "--stats", description = "Also print events, wall time and events/s on standard error.")
    boolean stats;

    String traceName() {
        return TraceSource.of(trace).name();
    }

    /** One configuration asked for: the profile request, the policies, and how the user asked for it. */
    private record Request(ProfileSpec spec, Policies policies, String asked) {
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        run.validate();
        if (threads != null && threads < 1) {
            throw new PyallocException(ExitCode.USAGE, "--threads must be at least 1");
        }
        List<Request> requests = requests();
        Output emitted = run.quiet ? Output.none : emit;
        TraceSource source = TraceSource.of(trace);
        double pinnedBelow = run.pinnedBelow();
        Path target = outputDir != null ? outputDir : Path.of("reports", source.stem() + "-compare");
        long start = System.nanoTime();
        try (Replay replay = Replay.open(source, run.lenient())) {
            List<ReplayOptions> options = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            Set<String> warnings = new LinkedHashSet<>();
            for (Request r : requests) {
                ProfileChoice choice = replay.choose(r.spec());
                if (choice.warning() != null) {
                    warnings.add(choice.warning());
                }
                options.add(new ReplayOptions(choice.profile(), r.policies(), run.samples, pinnedBelow, run.strict(),
                        false));
                notes.add(choice.note());
            }
            if (!run.quiet) {
                warnings.forEach(w -> err.println("pyalloc compare: warning: " + source.name() + ": " + w));
                replay.reader().warnings().forEach(w -> err.println("pyalloc compare: warning: " + w));
            }
            List<String> ids = options.stream().map(ReplayOptions::id).toList();
            refuseTwice(requests, ids);
            Progress progress = new Progress(err, run.progress());
            List<RunResult> results;
            try (ComparisonFolder folder = new ComparisonFolder(target, source.stem(), source.name(), ids, pinnedBelow,
                    !noCharts)) {
                List<Configuration> configurations = new ArrayList<>();
                for (int i = 0; i < options.size(); i++) {
                    configurations.add(new Configuration(options.get(i), notes.get(i), folder.report(i)));
                }
                int cores = Runtime.getRuntime().availableProcessors();
                results = replay.runAll(configurations, threads != null ? threads : cores, progress::onProgress);
                progress.onEnd(null);
                // Events the replay did not get (a binary trace without its end record): said even with -q.
                List<String> late = replay.reader().endWarnings();
                late.forEach(w -> err.println("pyalloc compare: warning: " + w));
                folder.onEnd(results);
            }
            print(out, emitted, results, target);
            if (!run.quiet) {
                long anomalies = results.get(0).anomalies().total();
                if (anomalies > 0) {
                    err.println("pyalloc compare: " + anomalies + " anomalies (see anomalies.csv)");
                }
                replay.reader().skippedExamples().forEach(m -> err.println("pyalloc compare: skipped " + m));
            }
            if (stats) {
                long events = results.get(0).events();
                double secs = (System.nanoTime() - start) / 1e9;
                err.printf(Locale.ROOT, "pyalloc compare: %d events through %d configurations in %.3f s,"
                        + " %.0f events/s%n", events, results.size(), secs, events / secs);
            }
            StandardOutput.check(out);
            return ExitCode.OK;
        }
    }

    private void print(PrintWriter out, Output emitted, List<RunResult> results, Path target) throws IOException {
        switch (emitted) {
            case table -> out.print(CompareText.format(results, target + "/"));
            case csv -> {
                CsvTable rows = CsvTable.to(out, CompareCsv.COLUMNS, true);
                for (RunResult r : results) {
                    rows.row(SummaryCsv.row(r));
                }
                rows.flush();
            }
            case none -> {
            }
        }
    }

    /**
     * Returns the configurations asked for, the cross product of the lists in the order given; refuses an empty
     * list and an unknown name before the trace is opened.
     */
    private List<Request> requests() {
        List<String> names = expand(list("--profile", profiles, null));
        List<Integer> arenas = list("--arena-size", arenaSizes, null);
        List<Integer> pools = list("--pool-size", poolSizes, null);
        List<Integer> aligns = list("--alignment", alignments, null);
        List<Integer> limits = list("--threshold", thresholds, null);
        List<String> arenaRules = list("--arena-policy", arenaPolicies, "cpython");
        List<String> releaseRules = list("--release-policy", releasePolicies, "cpython");
        List<String> poolRules = list("--pool-policy", poolPolicies, "cpython");
        List<Request> requests = new ArrayList<>();
        for (String name : names) {
            for (Integer arena : arenas) {
                for (Integer pool : pools) {
                    for (Integer align : aligns) {
                        for (Integer limit : limits) {
                            ProfileSpec s = new ProfileSpec(name, arena, pool, align, limit, poolAlignedArenas);
                            s.validate();  // an unknown name or an impossible what-if, before the trace is opened
                            for (String a : arenaRules) {
                                for (String r : releaseRules) {
                                    for (String q : poolRules) {
                                        requests.add(new Request(s, PolicyOptions.parse(a, r, q),
                                                describe(name, arena, pool, align, limit, a, r, q)));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return requests;
    }

    /**
     * Refuses a configuration asked for twice, by another name or by naming a version's own rule ({@code 3.12} and
     * {@code cpython-3.12}; {@code --release-policy keep-last} on 3.9+): known once the trace's version is, before
     * anything is written.
     */
    private static void refuseTwice(List<Request> requests, List<String> ids) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String before = seen.putIfAbsent(ids.get(i), requests.get(i).asked());
            if (before != null) {
                throw new PyallocException(ExitCode.USAGE, "configuration " + ids.get(i) + " is asked for twice ("
                        + before + "; " + requests.get(i).asked() + ")");
            }
        }
    }

    /**
     * Returns the values of a list option, or a list of {@code absent} when it was not given; refuses an empty item,
     * trailing commas included (picocli's split drops those).
     */
    private <T> List<T> list(String option, List<T> values, T absent) {
        if (values == null) {
            return java.util.Collections.singletonList(absent);
        }
        OptionSpec given = spec.commandLine().getParseResult().matchedOption(option);
        boolean emptyItem = given != null && given.originalStringValues().stream()
                .anyMatch(raw -> Arrays.stream(raw.split(",", -1)).anyMatch(String::isBlank));
        if (emptyItem || values.isEmpty()) {
            throw new PyallocException(ExitCode.USAGE, option + ": empty list item (expected comma-separated values,"
                    + " e.g. " + option + " " + example(option) + ")");
        }
        return values;
    }

    private static String example(String option) {
        return switch (option) {
            case "--profile" -> "3.9,3.12";
            case "--arena-size" -> "256K,1M";
            case "--pool-size" -> "4K,16K";
            case "--alignment" -> "8,16";
            case "--threshold" -> "256,512";
            case "--release-policy" -> "cpython,all,keep-4";
            default -> "cpython,address-ordered";
        };
    }

    /** Replaces {@code all} by every modelled CPython version, oldest first. */
    private static List<String> expand(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if ("all".equals(n)) {
                Arrays.stream(Profiles.values()).filter(p -> p.checkedAgainst().isPresent())
                        .map(p -> p.profile().id()).forEach(out::add);
            } else {
                out.add(n);
            }
        }
        return out;
    }

    private static String describe(String name, Integer arena, Integer pool, Integer align, Integer limit, String a,
            String r, String q) {
        List<String> parts = new ArrayList<>();
        parts.add(name == null ? "the trace's version" : name);
        if (arena != null) {
            parts.add("--arena-size " + arena);
        }
        if (pool != null) {
            parts.add("--pool-size " + pool);
        }
        if (align != null) {
            parts.add("--alignment " + align);
        }
        if (limit != null) {
            parts.add("--threshold " + limit);
        }
        for (String[] kv : new String[][] {{"--arena-policy", a}, {"--release-policy", r}, {"--pool-policy", q}}) {
            if (!kv[1].equals("cpython")) {
                parts.add(kv[0] + " " + kv[1]);
            }
        }
        return String.join(" ", parts);
    }
}
