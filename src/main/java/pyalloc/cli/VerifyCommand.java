package pyalloc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pyalloc.obmalloc.profile.ProfileChoice;
import pyalloc.obmalloc.profile.ProfileSpec;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.replay.AddressCheck;
import pyalloc.replay.Replay;
import pyalloc.replay.ReplayOptions;
import pyalloc.report.ReportSink;
import pyalloc.report.StandardOutput;
import pyalloc.report.text.DebugMallocStatsText;
import pyalloc.stats.RunResult;
import pyalloc.stats.Snapshot;
import pyalloc.trace.TraceSource;

/**
 * {@code pyalloc verify}: replays a recorded trace and proves it against the interpreter that recorded it,
 * block address by block address and mark by mark.
 */
@Command(name = "verify", sortOptions = false, mixinStandardHelpOptions = true,
        description = {
            "Replays a trace recorded from a real interpreter with that interpreter's profile and checks (1) every"
                    + " pymalloc block's address against the real pointer in the trace (arenas placed where the"
                    + " trace's arena_alloc rows put them) and (2) at every mark, the simulated statistics against"
                    + " CPython's own _PyObject_DebugMallocStats output saved at that mark.",
            "",
            "Statistics files are looked for in <trace name>.marks/<label>.txt beside the trace (as 'pyalloc"
                    + " record' writes them), else <label>.txt in the trace's folder."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pyalloc record -- python3.12 app.py && pyalloc verify app.pyat",
            "  pyalloc verify traces/cache-3.12.pyat"})
public final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRACE", description = "A trace recorded by 'pyalloc record' (or a capture like it).")
    String trace;

    @Mixin
    ProfileOptions profileOptions;

    @Option(names = "--marks-dir", paramLabel = "DIR",
            description = "Folder with CPython's statistics at each mark, one <label>.txt per mark.")
    Path marksDir;

    String traceName() {
        return TraceSource.of(trace).name();
    }

    /** Compares the statistics at every mark with CPython's own, saved when the mark was taken. */
    private static final class MarkCheck implements ReportSink {
        private final Path[] lookIn;
        int identical;
        int differing;
        int withoutFile;
        String firstDiff;

        MarkCheck(Path[] lookIn) {
            this.lookIn = lookIn;
        }

        @Override
        public void onMark(Snapshot s) throws IOException {
            Path expected = find(lookIn, s.label());
            if (expected == null) {
                withoutFile++;
                return;
            }
            // Bytes that are not UTF-8 are no CPython statistics: they show as a divergence, not an "Input length".
            String want = new String(Files.readAllBytes(expected), java.nio.charset.StandardCharsets.UTF_8);
            String got = DebugMallocStatsText.format(s);
            if (sameStatistics(want, got)) {
                identical++;
            } else {
                differing++;
                if (firstDiff == null) {
                    firstDiff = describe(s, expected, want, got);
                }
            }
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ProfileSpec profileSpec = profileOptions.spec();
        TraceSource source = TraceSource.of(trace);
        Path tracePath = source.isStdin() ? Path.of(".") : Path.of(trace).toAbsolutePath();
        Path[] lookIn = marksDir != null ? new Path[] {marksDir}
                : new Path[] {tracePath.resolveSibling(source.stem() + ".marks"), tracePath.getParent()};
        MarkCheck marks = new MarkCheck(lookIn);
        RunResult result;
        AddressCheck addresses;
        try (Replay replay = Replay.open(source, false)) {
            ProfileChoice choice = replay.choose(profileSpec);
            if (choice.warning() != null) {
                // A replay under another version's allocator proves nothing about the recording interpreter.
                throw new PyallocException(ExitCode.USAGE, source.name() + ": recorded by Python "
                        + replay.header().python() + ", which pyalloc does not model (it models "
                        + String.join(", ", Profiles.ids()) + "): there is nothing to verify it against");
            }
            out.println("profile: " + choice.profile().id() + choice.note());
            PrintWriter err = spec.commandLine().getErr();
            replay.reader().warnings().forEach(w -> err.println("pyalloc verify: warning: " + w));
            result = replay.run(new ReplayOptions(choice.profile(), 100, 0.25, false, true), choice.note(), marks);
            addresses = replay.addressCheck();
            List<String> late = replay.reader().endWarnings();  // a trace without its end: what was not verified
            late.forEach(w -> err.println("pyalloc verify: warning: " + w));
            err.flush();
        }
        boolean diverged = false;
        if (addresses.realArenaRows() == 0) {
            out.println("addresses: not checked (the trace has no arena_alloc rows, so real arena bases are unknown)");
        } else {
            long exact = addresses.exact();
            long checked = addresses.checked();
            out.printf(Locale.ROOT, "addresses: %d of %d blocks exact%n", exact, checked);
            if (exact != checked) {
                diverged = true;
                AddressCheck.Mismatch m = addresses.firstMismatch();
                out.printf(Locale.ROOT, "  first divergence: %s:%d: %s returned 0x%x, the model gives 0x%x%n",
                        source.name(), m.line(), m.op(), m.expected(), m.got());
            }
        }
        int withFile = marks.identical + marks.differing;
        if (result.marks() == 0) {
            out.println("marks: none in the trace");
        } else {
            out.printf(Locale.ROOT, "marks: %d of %d identical%s%n", marks.identical, withFile,
                    marks.withoutFile > 0 ? " (" + marks.withoutFile + " marks have no statistics file)" : "");
            if (marks.firstDiff != null) {
                diverged = true;
                out.print(marks.firstDiff);
            }
        }
        if (result.anomalies().total() > 0) {
            out.printf(Locale.ROOT, "anomalies: %d (a complete recording has none)%n", result.anomalies().total());
            diverged = true;
        }
        StandardOutput.check(out);  // a report that went nowhere is an I/O error
        return diverged ? ExitCode.DIVERGENCE : ExitCode.OK;
    }

    private static Path find(Path[] dirs, String label) {
        if (label.contains("/") || label.indexOf('\0') >= 0 || label.startsWith(".")) {
            return null;  // names no statistics file a recorder writes (labels name files): never one elsewhere
        }
        for (Path d : dirs) {
            Path p = d.resolve(label + ".txt");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Returns true when CPython's saved statistics are pyalloc's text exactly, or that text followed by the
     * type free-list lines that sys._debugmallocstats() prints after a blank line (not modelled).
     */
    static boolean sameStatistics(String cpython, String pyalloc) {
        return cpython.equals(pyalloc)
                || cpython.startsWith(pyalloc) && cpython.startsWith("\n", pyalloc.length());
    }

    private static String describe(Snapshot s, Path file, String want, String got) {
        String[] w = want.split("\n", -1);
        String[] g = got.split("\n", -1);
        for (int i = 0; i < Math.max(w.length, g.length); i++) {
            String a = i < w.length ? w[i] : "<end>";
            String b = i < g.length ? g[i] : "<end>";
            if (!a.equals(b)) {
                return String.format(Locale.ROOT, "  first divergence: mark %s (trace line %d), line %d of %s:%n"
                        + "    CPython: %s%n    pyalloc: %s%n", s.label(), s.line(), i + 1, file, a, b);
            }
        }
        return "";
    }
}
