package pyalloc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import pyalloc.capture.Interpreter;
import pyalloc.capture.Launcher;
import pyalloc.capture.RecordException;
import pyalloc.report.ReportDir;
import pyalloc.report.text.SummaryText;

/** {@code pyalloc record}: traces a Python program's every MEM/OBJ allocator call, from start-up to exit. */
@Command(name = "record", sortOptions = false, mixinStandardHelpOptions = true,
        description = {
            "Runs a Python program under a small launcher that embeds the chosen CPython (3.7 to 3.13) and logs"
                    + " every MEM and OBJ allocator call and every pymalloc arena map and unmap, from the first"
                    + " allocation of start-up to exit, as a trace 'pyalloc replay' and 'pyalloc verify' read.",
            "",
            "The program's standard input, output and error pass through; pyalloc's own messages go to standard"
                    + " error. Once the program ran, record exits with the program's exit code.",
            "",
            "Marks: inside the program, 'import pyalloc; pyalloc.mark(\"after-load\")' writes a mark row and CPython's"
                    + " own statistics at that instant into <trace name>.marks/after-load.txt (guard the import"
                    + " with try/except ImportError for runs without the recorder).",
            "",
            "The launcher is compiled with cc against the interpreter on first use and cached in"
                    + " $PYALLOC_CACHE (default ~/.cache/pyalloc)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pyalloc record -o app.csv.gz -- python3.12 myscript.py arg1 arg2",
            "  pyalloc record -o app.csv --python \"$(pyenv root)/versions/3.9.18/bin/python3\" -- -m json.tool data.json",
            "  pyalloc record -o app.csv.gz -- python3.12 app.py && pyalloc verify app.csv.gz"})
public final class RecordCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "TRACE",
            description = "Trace to write; gzip-compressed when the name ends in .gz. Replaced only when the"
                    + " program has run.")
    Path output;

    @Option(names = "--python", paramLabel = "PATH",
            description = "The interpreter to record. Without it, the first word after -- is the interpreter.")
    String python;

    @Option(names = {"-q", "--quiet"}, description = "No message of pyalloc's own on success.")
    boolean quiet;

    @Parameters(paramLabel = "-- [PYTHON] ARGS", arity = "0..*",
            description = "After --: the interpreter (unless --python is given) and its arguments, as you would run them.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        List<String> args = new ArrayList<>(command);
        String pythonCommand = python;
        if (pythonCommand == null) {
            if (args.isEmpty()) {
                throw new PyallocException(ExitCode.USAGE, "no program to record: give it after --, e.g."
                        + " pyalloc record -o app.csv.gz -- python3.12 app.py");
            }
            pythonCommand = args.remove(0);
        }
        for (int i = 0; i < args.size(); i++) {
            boolean devMode = args.get(i).equals("-Xdev")
                    || args.get(i).equals("-X") && i + 1 < args.size() && args.get(i + 1).equals("dev");
            if (devMode) {
                throw new PyallocException(ExitCode.USAGE, "-X dev installs debug allocators at start-up, which"
                        + " replace the recorder's hooks; record without it");
            }
        }
        Map<String, String> env = System.getenv();
        for (String var : new String[] {"PYTHONMALLOC", "PYTHONDEVMODE"}) {
            if (env.get(var) != null && !env.get(var).isEmpty()) {
                throw new PyallocException(ExitCode.USAGE, var + " is set (" + var + "=" + env.get(var) + "): start-up"
                        + " would replace the recorder's allocator hooks; unset it for the recording");
            }
        }
        Interpreter py;
        Path launcher;
        try {
            py = Interpreter.probe(pythonCommand);
            py.checkRecordable();
            launcher = Launcher.forInterpreter(py, Launcher.cacheDir());
        } catch (RecordException e) {
            throw new PyallocException(e.exitCode(), e.getMessage());
        }
        Path out = output.toAbsolutePath().normalize();
        if (Files.isDirectory(out)) {
            throw new PyallocException(ExitCode.IO, output + " is a folder; give a trace file name such as app.csv.gz");
        }
        Files.createDirectories(out.getParent());
        String stem = out.getFileName().toString().replaceFirst("\\.gz$", "").replaceFirst("\\.csv$", "");
        long pid = ProcessHandle.current().pid();
        Path tmpTrace = out.resolveSibling("." + out.getFileName() + ".tmp-" + pid);
        Path marks = out.resolveSibling(stem + ".marks");
        Path tmpMarks = out.resolveSibling("." + stem + ".marks.tmp-" + pid);

        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(launcher.toString()), args.stream()).toList());
        pb.inheritIO();
        pb.environment().put("PYALLOC_TRACE", tmpTrace.toString());
        pb.environment().put("PYALLOC_GZIP", out.getFileName().toString().endsWith(".gz") ? "1" : "0");
        pb.environment().put("PYALLOC_MARKS_DIR", tmpMarks.toString());
        pb.environment().put("PYALLOC_EXECUTABLE", py.executable());
        long start = System.nanoTime();
        int rc;
        Process p = pb.start();
        Thread cleanup = new Thread(() -> {
            p.destroy();
            ReportDir.deleteQuietly(tmpTrace);
            ReportDir.deleteQuietly(tmpMarks);
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new IOException("interrupted");
        }
        double secs = (System.nanoTime() - start) / 1e9;
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            return rc;
        }
        if (!Files.exists(tmpTrace)) {
            throw new PyallocException(ExitCode.CANNOT_RECORD, "the launcher wrote no trace (exit code " + rc + ")");
        }
        move(tmpTrace, out);
        int nMarks = 0;
        if (Files.isDirectory(tmpMarks)) {
            try (Stream<Path> s = Files.list(tmpMarks)) {
                nMarks = (int) s.count();
            }
            ReportDir.deleteQuietly(marks);
            move(tmpMarks, marks);
        }
        if (!quiet) {
            err.printf(Locale.ROOT, "pyalloc record: %s: Python %s, %s in %.2f s%s; the program exited %d%n",
                    output, py.version(), SummaryText.bytes(Files.size(out)), secs,
                    nMarks > 0 ? ", " + nMarks + " marks in " + stem + ".marks/" : "", rc);
            err.flush();
        }
        return rc;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
