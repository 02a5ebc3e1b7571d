package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.TestTraces;
import pyalloc.report.ReportDir;

/**
 * Issue 18 through the real launcher, {@code bin/pyalloc}, in a process of its own: small heaps, standard output
 * on a full device, a FIFO, process substitution and a slow pipe, a non-ASCII path under {@code LC_ALL=C},
 * SIGINT and SIGKILL at random points of a run, and a full disk (a tmpfs the test mounts, where root may).
 *
 * <p>The launcher runs from a copy of bin/ whose target/pyalloc.jar is a jar of nothing but a manifest pointing
 * at the classes under test (the real jar is built after the tests). {@code pyalloc.fuzz.signals} sets how many
 * runs are interrupted by each signal ({@code mvn -Pfuzz test} interrupts many more).
 */
final class LauncherTest {
    static final int SIGNAL_RUNS = Integer.getInteger("pyalloc.fuzz.signals", 2);

    @TempDir
    static Path home;
    static Path launcher;
    static Path jar;
    @TempDir
    Path dir;

    @BeforeAll
    static void install() throws IOException {
        launcher = home.resolve("bin/pyalloc");
        Files.createDirectories(launcher.getParent());
        Files.copy(Path.of("bin/pyalloc"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = home.resolve("target/pyalloc.jar");
        Files.createDirectories(jar.getParent());
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, PyallocCommand.class.getName());
        m.getMainAttributes().put(Attributes.Name.CLASS_PATH, Stream.of(System.getProperty("java.class.path")
                .split(File.pathSeparator)).map(p -> Path.of(p).toAbsolutePath().toUri().toString())
                .collect(Collectors.joining(" ")));
        new JarOutputStream(Files.newOutputStream(jar), m).close();  // the manifest is the whole jar
    }

    record Run(int exit, String out, String err) {
    }

    /** For {@link #finish}: the caller writes the process's standard input itself. */
    static final byte[] OWN = new byte[0];

    /** A launcher process, started: its environment has JAVA_HOME, PYALLOC_JAVA_OPTS when {@code heap} is given. */
    static ProcessBuilder launcher(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().keySet().removeIf(k -> k.startsWith("PYALLOC_") || k.startsWith("LC_"));
        pb.environment().putAll(env);
        return pb;
    }

    /** Waits for {@code p}, with {@code stdin} as its standard input (none: closed; {@link #OWN}: the caller's). */
    static Run finish(Process p, byte[] stdin) throws IOException, InterruptedException {
        Thread feeder = new Thread(() -> {
            if (stdin == OWN) {
                return;
            }
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException e) {
                // the process stopped reading
            }
        });
        feeder.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errReader = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException e) {
                // closed
            }
        });
        errReader.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not finish in 5 minutes");
        }
        feeder.join();
        errReader.join();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return finish(launcher(env, args).start(), null);
    }

    static void assertNoStackTrace(Run r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception") || r.err().contains("Error"), r.err());
    }

    static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static String summaryTrace(Path rep) throws IOException {
        return Files.readAllLines(rep.resolve("summary.csv")).get(1).split(",", -1)[0];
    }

    // ---------------------------------------------------------------- item 6: small heaps

    @Test
    void outOfMemoryIsExit7WithItsHintWhereverItHappens() throws Exception {
        Path rep = dir.resolve("rep");
        String small = TestTraces.real("3.12", "startup").toString();
        assertEquals(0, run(Map.of(), "replay", small, "-o", rep.toString(), "-q", "--no-charts").exit());
        String before = Files.readString(rep.resolve("summary.csv"));
        Pattern hint = Pattern.compile("pyalloc (replay|chart): .*do not fit in the Java heap \\(\\d+ MiB\\); raise it,"
                + " e\\.g\\. PYALLOC_JAVA_OPTS=-Xmx8g\n");
        int exhausted = 0;
        for (String heap : new String[] {"-Xmx10m", "-Xmx24m"}) {  // the reader's buffers; the charts
            Run r = run(Map.of("PYALLOC_JAVA_OPTS", heap), "replay", "traces/cache-3.12.pyat", "-o", rep.toString(),
                    "-q");
            assertNoStackTrace(r);
            assertTrue(r.exit() == ExitCode.OK || r.exit() == ExitCode.OUT_OF_MEMORY, heap + ": " + r.err());
            if (r.exit() == ExitCode.OUT_OF_MEMORY) {
                exhausted++;
                assertTrue(hint.matcher(r.err()).matches(), heap + ": " + r.err());
                assertEquals(before, Files.readString(rep.resolve("summary.csv")), "the previous report");
            }
            assertEquals(List.of("rep"), names(dir), "nothing beside the report");
            if (r.exit() == ExitCode.OK) {
                before = Files.readString(rep.resolve("summary.csv"));
            }
        }
        assertTrue(exhausted > 0, "a 10 MiB heap does not hold the reader's buffers");
        Run chart = run(Map.of("PYALLOC_JAVA_OPTS", "-Xmx8m"), "chart", rep.toString());
        assertNoStackTrace(chart);
        assertTrue(chart.exit() == ExitCode.OK || hint.matcher(chart.err()).matches(), chart.err());

        // Item 8: a timeline of many samples runs out of memory as the trace goes; the message counts it too.
        Path many = dir.resolve("many.csv");
        try (var w = Files.newBufferedWriter(many)) {
            w.write("op,ptr,size\n");
            for (int i = 0; i < 600_000; i++) {
                w.write("a,0x10,16\nf,0x10\n");
            }
        }
        Run samples = run(Map.of("PYALLOC_JAVA_OPTS", "-Xmx40m"), "replay", many.toString(), "--samples", "50000000",
                "--no-report");
        assertEquals(ExitCode.OUT_OF_MEMORY, samples.exit(), samples.err());
        assertTrue(samples.err().matches("pyalloc replay: .*many.csv: after \\d+ events, the replay's model of \\d live"
                + " blocks and its timeline of \\d+ samples do not fit in the Java heap.*\n"), samples.err());
    }

    // ---------------------------------------------------------------- item 2: standard output on a full device

    @Test
    void standardOutputOnAFullDeviceIsAnIoError() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full here");
        String trace = TestTraces.real("3.12", "startup").toString();
        for (String[] args : new String[][] {{"replay", trace, "--emit", "debugmallocstats", "--no-report"},
            {"replay", trace, "--emit", "csv", "--no-report"}, {"--help"},
            {"compare", trace, "-p", "3.12,3.9", "-o", dir.resolve("cmp").toString(), "--no-charts"},
            {"convert", trace, "-"}}) {
            Process p = launcher(Map.of(), args).redirectOutput(new File("/dev/full")).start();
            Run r = finish(p, null);
            assertEquals(ExitCode.IO, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().matches("pyalloc( \\w+)?: standard output: No space left on device\n"), r.err());
        }
    }

    // ---------------------------------------------------------------- items 1 and 3: pipes and FIFOs

    @Test
    void processSubstitutionAFifoAndASlowPipeOfGzipMembersReplayWhole() throws Exception {
        Path trace = TestTraces.real("3.12", "startup");
        byte[] plain;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(trace))) {
            plain = in.readAllBytes();
        }
        Run file = run(Map.of(), "replay", trace.toString(), "--no-report", "-q", "--stats");
        assertEquals(0, file.exit(), file.err());
        String events = file.err().replaceFirst("(?s).*replay: [^\n]*: (\\d+) events.*", "$1");

        ProcessBuilder bash = new ProcessBuilder("bash", "-c", "\"$0\" replay <(zcat \"$1\") --no-report -q --stats",
                launcher.toString(), trace.toString());
        bash.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Run substituted = finish(bash.start(), null);
        assertEquals(0, substituted.exit(), substituted.err());
        assertTrue(substituted.err().contains(": " + events + " events"), substituted.err());

        // (gzip -c a; sleep 1; gzip -c b) | pyalloc replay -
        int cut = plain.length / 2;
        while (plain[cut - 1] != '\n') {
            cut++;
        }
        byte[] first = gzip(plain, 0, cut);
        byte[] second = gzip(plain, cut, plain.length);
        Process p = launcher(Map.of(), "replay", "-", "--no-report", "-q", "--stats").start();
        Thread slow = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(first);
                in.flush();
                Thread.sleep(1000);
                in.write(second);
            } catch (IOException | InterruptedException e) {
                // the check below says what happened
            }
        });
        slow.start();
        Run piped = finish(p, OWN);
        slow.join();
        assertEquals(0, piped.exit(), piped.err());
        assertTrue(piped.err().contains(": " + events + " events"), "both members: " + piped.err());
    }

    static byte[] gzip(byte[] b, int from, int to) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b, from, to - from);
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- item 5: paths under LC_ALL=C

    @Test
    void aNonAsciiPathUnderTheCLocale() throws Exception {
        assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
                "the tests run under a locale that cannot name the file either");
        Path trace = dir.resolve("tr\u00e5ce.csv.gz");
        Files.copy(TestTraces.real("3.12", "startup"), trace);
        Path rep = dir.resolve("r\u00ebport");
        Map<String, String> c = Map.of("LC_ALL", "C");
        // Straight to Java: the path arrives mangled, and that is said in one line.
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "replay", trace.toString(), "--no-report");
        ProcessBuilder direct = new ProcessBuilder(java);
        direct.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG"));
        direct.environment().putAll(c);
        Run mangled = finish(direct.start(), null);
        assertEquals(ExitCode.USAGE, mangled.exit(), mangled.err());
        assertTrue(mangled.err().contains("cannot be a file name in this locale's character set"), mangled.err());
        assertNoStackTrace(mangled);
        // Through the launcher, which runs Java under C.UTF-8, it works.
        assumeTrue(utf8LocaleInstalled(), "no C.UTF-8 locale here");
        Run r = run(c, "replay", trace.toString(), "-o", rep.toString(), "-q", "--no-charts");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(Files.exists(rep.resolve("summary.csv")));
        // And the program record runs gets the caller's LC_ALL back.
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python) && onPath("cc"), "no /usr/bin/python3 or cc here");
        Run rec = run(c, "record", "-q", "-o", dir.resolve("t.csv").toString(), "--", python.toString(), "-c",
                "import os; print(os.environ.get('LC_ALL'), 'PYALLOC_CALLER_LC_ALL' in os.environ)");
        assertEquals(0, rec.exit(), rec.err());
        assertEquals("C False\n", rec.out());
    }

    static boolean utf8LocaleInstalled() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("locale", "-a").start();
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return all.lines().anyMatch(l -> l.equalsIgnoreCase("C.utf8") || l.equalsIgnoreCase("C.UTF-8"));
    }

    static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }

    // ---------------------------------------------------------------- item 7: signals at random points

    /** Sends {@code signal} to {@code pid} (the launcher execs Java, so that is the JVM). */
    static void kill(String signal, long pid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
    }

    /** Returns true when process {@code pid} ignores SIGINT (as a job a non-interactive shell starts in the background does). */
    static boolean ignoresSigint(long pid) throws IOException {
        List<String> status;
        try {
            status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
        } catch (java.nio.file.NoSuchFileException ended) {
            return false;
        }
        for (String l : status) {
            if (l.startsWith("SigIgn:")) {
                return (Long.parseLong(l.substring(7).trim(), 16) & 2) != 0;
            }
        }
        return false;
    }

    @Test
    void aRunInterruptedAnywhereLeavesAWholeReportAndNothingBesideIt() throws Exception {
        Path rep = dir.resolve("rep");
        String previousTrace = TestTraces.real("3.9", "startup").toString();
        String newTrace = "traces/cache-3.12.pyat";
        assertEquals(0, run(Map.of(), "replay", previousTrace, "-o", rep.toString(), "-q").exit());
        // Each report's own files (the sample has call sites, and so sites.csv and its kin): a report is whole.
        Map<String, List<String>> files = new HashMap<>();
        files.put(previousTrace, names(rep));
        long started = System.nanoTime();
        assertEquals(0, run(Map.of(), "replay", newTrace, "-o", rep.toString(), "-q").exit());
        long runNanos = System.nanoTime() - started;
        files.put(newTrace, names(rep));
        String bad = TestTraces.write(home, "bad.csv", "op,ptr,size", "alloc,0x10,x");
        Random random = new Random(Long.getLong("pyalloc.fuzz.seed", 18L));
        Map<String, Integer> outcomes = new HashMap<>();
        for (int i = 0; i < 2 * SIGNAL_RUNS; i++) {
            boolean sigkill = i % 2 == 1;
            assertEquals(0, run(Map.of(), "replay", previousTrace, "-o", rep.toString(), "-q").exit());
            long delayMs = (long) (random.nextDouble() * 1.1 * runNanos / 1e6);
            // env --default-signal: a background job of a non-interactive shell ignores SIGINT, and so would Java.
            ProcessBuilder pb = launcher(Map.of(), "replay", newTrace, "-o", rep.toString(), "-q");
            if (!sigkill && onPath("env")) {
                pb.command().addAll(0, List.of("env", "--default-signal=INT"));
            }
            Process p = pb.start();
            Thread.sleep(delayMs);
            String signal = sigkill ? "KILL" : ignoresSigint(p.pid()) ? "TERM" : "INT";
            kill(signal, p.pid());
            Run r = finish(p, null);
            String what = "run " + i + ": SIG" + signal + " after " + delayMs + " ms, exit " + r.exit() + ": " + r.err();
            outcomes.merge(signal + " " + r.exit(), 1, Integer::sum);
            if (!sigkill) {
                assertTrue(r.exit() == 0 || r.exit() == 130 || r.exit() == 143, what);
                assertEquals("", r.err(), what);
                assertEquals(List.of("rep"), names(dir), "nothing beside the report: " + what);
                assertEquals(files.get(summaryTrace(rep)), names(rep), what);
                // A signal after the swap, before the exit, is exit 130 with the new report: it followed the swap.
                assertTrue(r.exit() == 0 ? summaryTrace(rep).equals(newTrace)
                        : List.of(previousTrace, newTrace).contains(summaryTrace(rep)), what);
                continue;
            }
            assertTrue(r.exit() == 0 || r.exit() == 137, what);
            Pattern leftovers = Pattern.compile("\\.rep\\.(tmp|old|gone)-" + p.pid());
            for (String n : names(dir)) {
                assertTrue(n.equals("rep") || leftovers.matcher(n).matches(), n + " after " + what);
            }
            if (!Files.exists(rep)) {
                assertTrue(names(dir).contains(".rep.old-" + p.pid()), "killed mid-swap, the report is aside: " + what);
            }
            // The next run beside it, even a failing one, puts the report back and clears the rest.
            Run next = run(Map.of(), "replay", bad, "-o", rep.toString(), "-q");
            assertEquals(ExitCode.BAD_TRACE, next.exit(), next.err());
            assertEquals(List.of("rep"), names(dir), "the next run cleared: " + what);
            assertTrue(List.of(previousTrace, newTrace).contains(summaryTrace(rep)), what);
            assertEquals(files.get(summaryTrace(rep)), names(rep), what);
        }
        System.out.println("LauncherTest: interrupted runs " + outcomes);
    }

    // ---------------------------------------------------------------- item 8: a full disk

    @Test
    void aFullDiskNamesTheFileAndKeepsThePreviousReport() throws Exception {
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", mnt.toString())
                .redirectErrorStream(true).start();
        mount.getInputStream().readAllBytes();
        assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here (not root?)");
        try {
            Path rep = mnt.resolve("rep");
            String tiny = TestTraces.write(dir, "tiny.csv", "op,ptr,size", "alloc,0x10,48", "free,0x10");
            assertEquals(0, run(Map.of(), "replay", tiny, "-o", rep.toString(), "-q", "--no-charts").exit());
            String before = Files.readString(rep.resolve("summary.csv"));
            Run r = run(Map.of(), "replay", "traces/cache-3.12.pyat", "-o", rep.toString(), "-q");
            assertEquals(ExitCode.IO, r.exit(), r.err());
            assertTrue(r.err().matches("pyalloc replay: " + Pattern.quote(rep.toString()) + "/[a-z]+\\.(csv|png):"
                    + " No space left on device\n"), r.err());
            assertEquals(before, Files.readString(rep.resolve("summary.csv")));
            assertEquals(List.of("rep"), names(mnt), "nothing beside the report");
            assertTrue(Files.exists(rep.resolve(ReportDir.MARKER)));
            // convert's output, on the same full disk: named, and nothing left.
            Run c = run(Map.of(), "convert", "traces/cache-3.12.pyat", mnt.resolve("t.csv").toString());
            assertEquals(ExitCode.IO, c.exit(), c.err());
            assertEquals("pyalloc convert: " + mnt.resolve("t.csv") + ": No space left on device\n", c.err());
            assertEquals(List.of("rep"), names(mnt), "nothing beside the report");
        } finally {
            new ProcessBuilder("umount", mnt.toString()).start().waitFor();
        }
    }
}
