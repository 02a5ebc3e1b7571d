package pyalloc.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import pyalloc.report.ReportDir;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.binary.BlockCompression;

/**
 * One run of a Python program under the recorder: the checks, the program with the recorder library preloaded,
 * and its traces moved into place. The main trace is written into a hidden working folder beside the output and
 * replaces the old one only once the program has run; the traces of the program's other Python processes are
 * written straight beside it, named with their process ids.
 */
public final class Recording {
    /**
     * How long to wait, once the main process has exited, for other traced processes still writing: helpers
     * such as multiprocessing's resource tracker and forkserver exit just after it. One still running after this
     * keeps writing its trace in place; the result says it was incomplete.
     */
    static final long CHILD_WAIT_MS = 10_000;

    /** The recorder's own environment variables (recorder.c's header says what each means). */
    private static final List<String> RECORDER_VARIABLES = List.of("PYALLOC_DIR", "PYALLOC_FORMAT", "PYALLOC_GZIP",
            "PYALLOC_CHILD_PREFIX", "PYALLOC_CHILD_SUFFIX", "PYALLOC_PROBE", "PYALLOC_SITES");

    /** The most Python frames a call site can hold (recorder.c: SITE_MAX_DEPTH). */
    public static final int MAX_SITE_DEPTH = 16;

    /**
     * One process's trace.
     *
     * @param pid      its process id
     * @param version  the interpreter's version, as its trace header names it
     * @param path     the trace
     * @param marksDir its marks folder ({@code <stem>.marks}), or null when it wrote no mark
     * @param marks    statistics files in it
     * @param complete the process finished its trace (no os._exit, signal, write error, or still running)
     */
    public record Trace(long pid, String version, Path path, Path marksDir, int marks, boolean complete) {
    }

    /**
     * What a recording produced.
     *
     * @param exitCode    the program's exit code
     * @param interpreter the interpreter the command runs, as probed
     * @param main        the first Python process's trace, at the output path
     * @param seconds     wall time of the program's main process
     * @param children    the other Python processes' traces, in start order
     * @param warnings    what went wrong after the program ran without costing a trace, one line each
     */
    public record Result(int exitCode, Interpreter interpreter, Trace main, double seconds, List<Trace> children,
            List<String> warnings) {
    }

    private final Path output;
    private final String python;
    private final List<String> args;
    private final boolean children;
    private final Path cache;
    private final int siteDepth;

    /**
     * @param output   the main trace: binary for a {@code .pyat} name, else CSV, gzip-compressed for {@code .gz}
     * @param python   the command that runs the interpreter (a path, a name on PATH, a wrapper script)
     * @param args     the interpreter's arguments
     * @param children also trace the other Python processes the program starts
     * @param cache    where the compiled recorder is kept ({@link RecorderLibrary#cacheDir()})
     */
    public Recording(Path output, String python, List<String> args, boolean children, Path cache) {
        this(output, python, args, children, cache, 0);
    }

    /**
     * A recording that also writes every allocation's call site, its innermost {@code siteDepth} Python frames
     * (1 to {@link #MAX_SITE_DEPTH}; 0: no sites; docs/trace-format.md, "Call sites").
     */
    public Recording(Path output, String python, List<String> args, boolean children, Path cache, int siteDepth) {
        if (siteDepth < 0 || siteDepth > MAX_SITE_DEPTH) {
            throw new IllegalArgumentException("site depth " + siteDepth);
        }
        this.output = output;
        this.python = python;
        this.args = List.copyOf(args);
        this.children = children;
        this.cache = cache;
        this.siteDepth = siteDepth;
    }

    /** Runs the program and returns its traces; throws before the program runs when it cannot be recorded. */
    public Result run() throws IOException, RecordException {
        refuseHookReplacingSettings(args, System.getenv());
        Path library = null;
        RecordException noLibrary = null;
        try {
            library = RecorderLibrary.in(cache);
        } catch (RecordException e) {
            noLibrary = e; // said after the probe: a missing interpreter is the first thing to fix
        }
        Interpreter py = Interpreter.probe(python, library);
        if (noLibrary != null) {
            throw noLibrary;
        }
        py.checkRecordable();

        Path out = output.toAbsolutePath().normalize();
        if (Files.isDirectory(out)) {
            throw new RecordException(RecordException.Reason.OUTPUT, output
                    + " is a folder; give a trace file name such as app.pyat");
        }
        if (Files.exists(out) && !Files.isRegularFile(out)) {
            // The finished trace is renamed over the output: over /dev/null, run as root, that replaced the device.
            throw new RecordException(RecordException.Reason.OUTPUT, output + " is not a regular file (a device, a"
                    + " FIFO or a socket); give a trace file name such as app.csv.gz");
        }
        String name = out.getFileName().toString();
        if (name.endsWith(".pyat.gz")) {
            throw new RecordException(RecordException.Reason.OUTPUT, output + ": a .pyat trace compresses its own"
                    + " blocks; name it " + name.substring(0, name.length() - 3));
        }
        boolean binary = TraceFormat.byName(name) == TraceFormat.BINARY;
        boolean gzip = !binary && name.endsWith(".gz");
        if (gzip && RecorderLibrary.onPath("gzip") == null) {
            throw new RecordException(RecordException.Reason.UNSUPPORTED, "no gzip on PATH to compress " + output
                    + "; install gzip, or name the trace .csv");
        }
        Files.createDirectories(out.getParent());
        String stem = stem(name);
        String childPrefix = out.resolveSibling(stem).toString() + ".";
        String childSuffix = name.substring(stem.length());
        Path work = out.resolveSibling("." + name + ".tmp-" + ProcessHandle.current().pid());
        ReportDir.removeStale(out);  // the working folders of recordings killed (SIGKILL) beside this one
        ReportDir.deleteQuietly(work);
        Files.createDirectories(work);
        Path registry = Files.createFile(work.resolve("processes"));

        List<String> cmd = new ArrayList<>();
        cmd.add(python);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        Map<String, String> env = pb.environment();
        env.keySet().removeAll(RECORDER_VARIABLES); // a recording run inside a recorded program starts afresh
        CallerLocale.restore(env);
        env.put("LD_PRELOAD", preload(library, env.get("LD_PRELOAD")));
        env.put("PYALLOC_DIR", work.toString());
        env.put("PYALLOC_FORMAT", binary ? "pyat" : "csv");
        env.put("PYALLOC_GZIP", gzip ? "1" : "0");
        if (siteDepth > 0) {
            env.put("PYALLOC_SITES", Integer.toString(siteDepth));
        }
        if (children) {
            env.put("PYALLOC_CHILD_PREFIX", childPrefix);
            env.put("PYALLOC_CHILD_SUFFIX", childSuffix);
        }
        long start = System.nanoTime();
        // The main trace's blocks are compressed as the recorder writes them, on the core the program leaves.
        TraceCompressor compressor = binary ? new TraceCompressor(work.resolve("trace"), work.resolve("trace.zst"))
                : null;
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            if (compressor != null) {
                compressor.abandon();
            }
            ReportDir.deleteQuietly(work);
            throw e;
        }
        Thread cleanup = new Thread(() -> {
            p.destroy();
            for (Long pid : processes(registry).keySet()) {
                ReportDir.deleteQuietly(Path.of(childPrefix + pid + childSuffix));
                ReportDir.deleteQuietly(Path.of(childPrefix + pid + ".marks"));
            }
            ReportDir.deleteQuietly(work);
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
            throw new IOException("interrupted");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<Long, Logged> seen = awaitChildren(registry);
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            throw new IOException("interrupted; the trace was removed");
        }

        Path trace = work.resolve("trace");
        List<String> warnings = new ArrayList<>();
        if (compressor != null) {
            boolean mainWriting = seen.entrySet().stream()
                    .anyMatch(e -> e.getValue().main && !e.getValue().ended && running(e.getKey()));
            try {
                if (mainWriting) {
                    compressor.abandon();  // still writing after the wait: its blocks stay as they are
                } else {
                    compressor.finish();
                }
            } catch (IOException e) {
                warnings.add(output + ": left with its blocks uncompressed: " + e.getMessage());
            }
        }
        if (!Files.exists(trace)) {
            ReportDir.deleteQuietly(work);
            throw new RecordException(RecordException.Reason.NOT_TRACED, "the program ran (exit code " + rc
                    + ") but no Python process in it was traced");
        }
        move(trace, out);
        Path marks = out.resolveSibling(stem + ".marks");
        ReportDir.deleteQuietly(marks); // an old recording's statistics must not sit beside the new trace
        Path workMarks = work.resolve("marks");
        boolean hasMarks = Files.isDirectory(workMarks);
        if (hasMarks) {
            move(workMarks, marks);
        }
        Trace main = null;
        List<Trace> childTraces = new ArrayList<>();
        for (Map.Entry<Long, Logged> e : seen.entrySet()) {
            Logged s = e.getValue();
            if (s.main) {
                main = new Trace(e.getKey(), s.version, out, hasMarks ? marks : null, count(marks), s.endedOk);
            } else {
                Path m = Path.of(childPrefix + e.getKey() + ".marks");
                Path child = Path.of(childPrefix + e.getKey() + childSuffix);
                if (binary && (s.ended || !running(e.getKey())) && Files.isRegularFile(child)) {
                    compress(child, child.toString(), warnings);
                }
                childTraces.add(new Trace(e.getKey(), s.version, child, Files.isDirectory(m) ? m : null, count(m),
                        s.endedOk));
            }
        }
        if (main == null) { // the recorder logs its start before the first row; only a failed write loses it
            main = new Trace(0, py.version(), out, hasMarks ? marks : null, count(marks), false);
        }
        ReportDir.deleteQuietly(work);
        return new Result(rc, py, main, seconds, List.copyOf(childTraces), List.copyOf(warnings));
    }

    /**
     * Compresses the blocks of a binary trace the recorder wrote (it stores them: it has no compression library).
     * A failure leaves the trace as written, whole and readable, and says so.
     */
    private static void compress(Path trace, String name, List<String> warnings) {
        try {
            BlockCompression.compressInPlace(trace);
        } catch (IOException e) {
            warnings.add(name + ": left with its blocks uncompressed: " + e.getMessage());
        }
    }

    /** Throws when a setting would make start-up replace the recorder's allocator hooks. */
    static void refuseHookReplacingSettings(List<String> args, Map<String, String> env) throws RecordException {
        for (int i = 0; i < args.size(); i++) {
            boolean devMode = args.get(i).equals("-Xdev")
                    || args.get(i).equals("-X") && i + 1 < args.size() && args.get(i + 1).equals("dev");
            if (devMode) {
                throw new RecordException(RecordException.Reason.REFUSED_SETTING, "-X dev installs debug allocators"
                        + " at start-up, which replace the recorder's hooks; record without it");
            }
        }
        for (String var : new String[] {"PYTHONMALLOC", "PYTHONDEVMODE"}) {
            if (env.get(var) != null && !env.get(var).isEmpty()) {
                throw new RecordException(RecordException.Reason.REFUSED_SETTING, var + " is set (" + var + "="
                        + env.get(var) + "): start-up would replace the recorder's allocator hooks; unset it for"
                        + " the recording");
            }
        }
    }

    /** Returns LD_PRELOAD with the recorder first and whatever the user preloads after it. */
    static String preload(Path library, String existing) {
        return existing == null || existing.isBlank() ? library.toString() : library + ":" + existing;
    }

    /** Returns a trace file's name without {@code .gz}, {@code .csv}, {@code .pyat}: {@code app} for {@code app.csv.gz}. */
    static String stem(String fileName) {
        return fileName.replaceFirst("\\.gz$", "").replaceFirst("\\.(csv|pyat)$", "");
    }

    /** A traced process, as the recorder logged it in the working folder's {@code processes} file. */
    private static final class Logged {
        boolean main;
        String version;
        boolean ended;
        boolean endedOk;
    }

    /** Returns the traced processes so far, in start order. */
    private static Map<Long, Logged> processes(Path registry) {
        Map<Long, Logged> seen = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(registry, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return seen;
        }
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 3 || !f[0].matches("\\d+")) {
                continue; // a line still being appended
            }
            Logged s = seen.computeIfAbsent(Long.parseLong(f[0]), pid -> new Logged());
            if (f[1].equals("start") && f.length >= 4) {
                s.main = f[2].equals("main");
                s.version = f[3];
            } else if (f[1].equals("end")) {
                s.ended = true;
                s.endedOk = f[2].equals("ok");
            }
        }
        return seen;
    }

    /**
     * Returns the traced processes once every one of them has ended its trace or is gone, or after
     * {@link #CHILD_WAIT_MS}: the main process has exited, and its subprocesses may still be finishing.
     */
    private static Map<Long, Logged> awaitChildren(Path registry) throws IOException {
        long deadline = System.nanoTime() + CHILD_WAIT_MS * 1_000_000;
        while (true) {
            Map<Long, Logged> seen = processes(registry);
            boolean writing = seen.entrySet().stream()
                    .anyMatch(e -> !e.getValue().ended && running(e.getKey()));
            if (!writing || System.nanoTime() > deadline) {
                return seen;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    /** Returns whether process {@code pid} runs: it exists and is no zombie (an orphan's reaper may be slow). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    private static int count(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
