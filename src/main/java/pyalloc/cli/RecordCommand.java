package pyalloc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pyalloc.capture.RecordException;
import pyalloc.capture.RecorderLibrary;
import pyalloc.capture.Recording;
import pyalloc.report.text.SummaryText;

/** {@code pyalloc record}: traces a Python program's every MEM/OBJ allocator call, from start-up to exit. */
@Command(name = "record", sortOptions = false, mixinStandardHelpOptions = true,
        description = {
            "Runs a Python program (CPython 3.7 to 3.15 on Linux, run as you would run it: a pyenv build, the"
                    + " system python3, a virtual environment's python, a wrapper script) with a small recorder"
                    + " library preloaded (LD_PRELOAD) that logs every MEM and OBJ allocator call and every pymalloc"
                    + " arena map and unmap, from the first allocation of start-up to exit, as a trace 'pyalloc"
                    + " replay' and 'pyalloc verify' read.",
            "",
            "The trace is binary (.pyat, compact and quick to replay) unless its name ends in .csv or .csv.gz"
                    + " ('pyalloc convert' turns one into the other). Without -o it is <script>.pyat in the current"
                    + " folder (<module>.pyat for -m module, python.pyat otherwise).",
            "",
            "The program's standard input, output and error pass through; pyalloc's own messages go to standard"
                    + " error. Once the program ran, record exits with the program's exit code.",
            "",
            "Marks: inside the program, 'import pyalloc; pyalloc.mark(\"after-load\")' writes a mark and CPython's"
                    + " own statistics at that instant into <trace name>.marks/after-load.txt (guard the import"
                    + " with try/except ImportError for runs without the recorder). When the program's code has"
                    + " finished, before the interpreter frees everything, the recorder writes the mark 'exit'.",
            "",
            "Call sites: each alloc, calloc and realloc row also says which Python line made it (file, line,"
                    + " function; --site-depth for its callers too), read from the interpreter's frames without"
                    + " allocating, so the trace still verifies exactly; 'pyalloc replay' then writes sites.csv: which"
                    + " lines own the live blocks and which keep arenas from going back.",
            "",
            "Every other Python process the program starts (subprocess, multiprocessing's spawn and forkserver)"
                    + " is traced beside it, its process id in the name: app.pyat, app.12345.pyat. A fork()ed"
                    + " child that does not exec a new program is not traced.",
            "",
            "Needs a C compiler, not the interpreter's headers or a shared libpython: the recorder is compiled"
                    + " with cc ($CC) on first use and cached in $PYALLOC_CACHE (default ~/.cache/pyalloc)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pyalloc record -- python3.12 myscript.py arg1 arg2          writes myscript.pyat",
            "  pyalloc record -o app.csv --python \"$(pyenv root)/versions/3.9.18/bin/python3\" -- -m json.tool data.json",
            "  pyalloc record -o app.pyat --no-children -- .venv/bin/python app.py",
            "  pyalloc record -o app.pyat --site-depth 3 -- python3.12 app.py && pyalloc replay app.pyat",
            "      call sites of three frames: sites.csv names the lines that own the live blocks and pin arenas",
            "  pyalloc record -o app.pyat -- python3.12 app.py && pyalloc verify app.pyat"})
public final class RecordCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "TRACE",
            description = "Trace to write: binary for .pyat (the default), CSV for .csv, gzip CSV for .csv.gz."
                    + " Replaced only when the program has run. Default: <script>.pyat in the current folder.")
    Path output;

    @Option(names = "--python", paramLabel = "PATH",
            description = "The interpreter to record. Without it, the first word after -- is the interpreter.")
    String python;

    @Option(names = "--no-children",
            description = "Trace only the program's first Python process; the Python processes it starts run"
                    + " untraced.")
    boolean noChildren;

    @Option(names = "--sites", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Record each allocation's call site: the Python line that made it (file, line, function),"
                    + " so that the replay can tell which lines own the live blocks and pin arenas (the default;"
                    + " --no-sites records without them: a smaller trace, a faster replay).")
    boolean sites;

    @Option(names = "--site-depth", paramLabel = "N",
            description = "Call sites of up to N Python frames (1-16, default 1), so that a line inside a library"
                    + " can be traced back to the program's own call.")
    Integer siteDepth;

    @Option(names = {"-q", "--quiet"}, description = "No message of pyalloc's own on success.")
    boolean quiet;

    @Parameters(paramLabel = "-- [PYTHON] ARGS", arity = "0..*",
            description = "After --: the interpreter (unless --python is given) and its arguments, as you would run them.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws IOException, RecordException {
        List<String> args = new ArrayList<>(command);
        String pythonCommand = python;
        if (pythonCommand == null) {
            if (args.isEmpty()) {
                throw new PyallocException(ExitCode.USAGE, "no program to record: give it after --, e.g."
                        + " pyalloc record -- python3.12 app.py");
            }
            pythonCommand = args.remove(0);
        }
        if (siteDepth != null && (siteDepth < 1 || siteDepth > Recording.MAX_SITE_DEPTH)) {
            throw new PyallocException(ExitCode.USAGE, "--site-depth must be from 1 to " + Recording.MAX_SITE_DEPTH
                    + " (Python frames per call site)");
        }
        if (siteDepth != null && !sites) {
            throw new PyallocException(ExitCode.USAGE, "--site-depth and --no-sites exclude each other");
        }
        int depth = !sites ? 0 : siteDepth != null ? siteDepth : 1;
        if (output == null) {
            output = Path.of(defaultName(args));
        }
        Recording.Result r = new Recording(output, pythonCommand, args, !noChildren, RecorderLibrary.cacheDir(),
                depth).run();
        PrintWriter err = spec.commandLine().getErr();
        r.warnings().forEach(w -> err.println("pyalloc record: warning: " + w));
        if (!quiet) {
            print(r);
        }
        return r.exitCode();
    }

    private void print(Recording.Result r) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        Recording.Trace main = r.main();
        err.printf(Locale.ROOT, "pyalloc record: %s: Python %s, %s in %.2f s%s; the program exited %d%n", output,
                main.version(), SummaryText.bytes(Files.size(main.path())), r.seconds(),
                main.marks() > 0 ? ", " + marks(main.marks()) + " in " + main.marksDir().getFileName() + "/" : "",
                r.exitCode());
        if (!main.complete()) {
            err.println("pyalloc record: the trace ends early: the program left by os._exit(), exec or a signal,"
                    + " or writing failed");
        }
        if (!r.children().isEmpty()) {
            List<String> each = new ArrayList<>();
            for (Recording.Trace c : r.children()) {
                each.add(output.resolveSibling(c.path().getFileName()) + " (Python " + c.version() + ", "
                        + marks(c.marks()) + (c.complete() ? "" : ", incomplete") + ")");
            }
            err.println("pyalloc record: " + r.children().size() + " child process" + (each.size() == 1 ? "" : "es")
                    + " traced: " + String.join(", ", each));
        }
        err.flush();
    }

    /** The interpreter's options that take a value in the next argument (python3 --help). */
    private static final List<String> WITH_VALUE = List.of("-W", "-X", "--check-hash-based-pycs");

    /**
     * Returns the trace name for a program run with the interpreter arguments {@code args}: {@code app.pyat} for a
     * script {@code app.py}, {@code json.tool.pyat} for {@code -m json.tool}, {@code python.pyat} for {@code -c}
     * or standard input.
     */
    static String defaultName(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-m") && i + 1 < args.size()) {
                return args.get(i + 1) + ".pyat";
            }
            if (a.startsWith("-m") && a.length() > 2 && !a.startsWith("--")) {
                return a.substring(2) + ".pyat";
            }
            if (a.equals("-c") || a.startsWith("-c") && !a.startsWith("--") || a.equals("-") || a.equals("--")) {
                break;
            }
            if (WITH_VALUE.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                String file = Path.of(a).getFileName() == null ? "" : Path.of(a).getFileName().toString();
                String stem = file.replaceFirst("\\.pyw?$", "");
                return (stem.isEmpty() || stem.startsWith(".") ? "python" : stem) + ".pyat";
            }
        }
        return "python.pyat";
    }

    private static String marks(int n) {
        return n + (n == 1 ? " mark" : " marks");
    }
}
