package pyalloc.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pyalloc.cli.Cli;
import pyalloc.cli.ExitCode;

/**
 * Issues 3 and 13: record a small workload with marks on every CPython this machine can run, as a user runs it
 * (pyenv 3.7-3.13, Debian's static /usr/bin/python3, a virtual environment, Debian's 3.14 and 3.15 through
 * their wrapper scripts), then verify it: every block address and every mark, the automatic 'exit' mark
 * included, must be exact. An interpreter that is missing is skipped with the reason.
 */
final class RecordTest {
    @TempDir
    static Path dir;
    static final String WORKLOAD = String.join("\n",
            "import sys",
            "try:",
            "    import pyalloc",
            "except ImportError:",
            "    pyalloc = None",
            "d = {i: str(i) * 3 for i in range(3000)}",
            "pyalloc.mark('built')",
            "for i in range(0, 3000, 2): del d[i]",
            "pyalloc.mark('halved')",
            "sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)",
            "");

    @BeforeAll
    static void workload() throws IOException {
        Files.writeString(dir.resolve("work.py"), WORKLOAD);
    }

    static Stream<String> versions() {
        return Interpreters.pyenvVersions();
    }

    /**
     * Records work.py with {@code python} into {@code file} (its name picks the format) and verifies it; returns
     * verify's addresses line.
     */
    static String recordAndVerify(Path python, String minor, String file) throws IOException {
        Path trace = dir.resolve(file);
        String name = file.replaceFirst("\\.(pyat|csv|csv\\.gz)$", "");
        Cli rec = Cli.run("record", "-o", trace.toString(), "--python", python.toString(), "--",
                dir.resolve("work.py").toString());
        assertEquals(0, rec.exit(), rec.err());
        assertTrue(rec.err().contains(": Python " + minor + "."), rec.err());
        assertTrue(rec.err().contains("3 marks in " + name + ".marks/"), rec.err());
        for (String mark : List.of("built", "halved", "exit")) {
            assertTrue(Files.readString(dir.resolve(name + ".marks/" + mark + ".txt"))
                    .startsWith("Small block threshold = 512, in 32 size classes."), mark);
        }
        Cli ver = Cli.run("verify", trace.toString());
        assertEquals(0, ver.exit(), ver.out() + ver.err());
        String[] lines = ver.out().split("\n");
        assertEquals("profile: cpython-" + minor + " (from the trace header)", lines[0]);
        assertTrue(lines[1].matches("addresses: (\\d+) of \\1 blocks exact"), ver.out());
        assertEquals("marks: 3 of 3 identical", lines[2]);
        System.out.println(name + " (" + python + "): " + lines[1] + "; " + lines[2]);
        return lines[1];
    }

    @ParameterizedTest(name = "CPython {0}")
    @MethodSource("versions")
    void recordThenVerifyIsExact(String minor) throws IOException {
        Path python = Interpreters.pyenv(minor);
        assumeTrue(python != null, "CPython " + minor + " is not installed under " + Interpreters.pyenvRoot()
                + "/versions");
        recordAndVerify(python, minor, "work-" + minor + ".pyat");
        Path trace = dir.resolve("work-" + minor + ".pyat");
        Cli replay = Cli.run("replay", trace.toString(), "--no-report");
        assertTrue(replay.out().contains("profile    cpython-" + minor + " (from the trace header)"), replay.out());
        assertEquals("", replay.err(), "a whole trace, with its end record");
        assertTrue(ChildProcessTest.compressed(trace), "record compresses the blocks the recorder stored");
        List<String> csv = TraceFiles.lines(trace);
        assertTrue(csv.get(0).matches("# python " + minor.replace(".", "\\.") + "\\.\\d+"), csv.get(0));
        assertEquals("# executable " + python, csv.get(1));
        assertTrue(csv.get(3).startsWith("# recorded by pyalloc record: " + dir.resolve("work.py")), csv.get(3));
        assertEquals("# sites 1", csv.get(4), "call sites are recorded by default, in the binary form too");
        assertEquals("op,ptr,size,new_ptr,domain,ns,label,site", csv.get(5));
    }

    /** The same program recorded to CSV, gzip and binary: the formats differ, the verification does not. */
    @Test
    void everyFormatRecordsExactly() throws IOException {
        Path python = Interpreters.anyPyenv();
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        String minor = python.getParent().getParent().getFileName().toString().replaceFirst("\\.\\d+$", "");
        for (String file : List.of("formats.csv", "formats.csv.gz")) {
            recordAndVerify(python, minor, file);
        }
        assertTrue(Files.readString(dir.resolve("formats.csv")).startsWith("# python " + minor + "."));
        Cli r = Cli.run("record", "-o", dir.resolve("x.pyat.gz").toString(), "--", python.toString(), "-c", "pass");
        assertEquals(ExitCode.IO, r.exit(), r.err());
        assertTrue(r.err().contains("a .pyat trace compresses its own blocks; name it x.pyat"), r.err());
    }

    /**
     * A program that leaves by os._exit() never ends its trace: the binary trace keeps its whole blocks, says it
     * has no end record, and replays what it holds.
     */
    @Test
    void aBinaryTraceCutShortByOsExitKeepsItsWholeBlocks() throws IOException {
        Path python = Interpreters.anyPyenv();
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Path trace = dir.resolve("cut.pyat");
        Cli r = Cli.run("record", "-o", trace.toString(), "--", python.toString(), "-c",
                "import os\nx = [str(i) for i in range(100000)]\nos._exit(0)");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("the trace ends early"), r.err());
        assertTrue(ChildProcessTest.compressed(trace));
        Cli replay = Cli.run("replay", trace.toString(), "--no-report", "--emit", "none");
        assertEquals(0, replay.exit(), replay.err());
        assertTrue(replay.err().contains("the trace ends without its end record"), replay.err());
        long events = Long.parseLong(replay.err().replaceFirst("(?s).*replayed its (\\d+) events.*", "$1"));
        assertEquals(0, events % 65536, "whole blocks of 65,536 events: " + events);
        assertTrue(events >= 65536, replay.err());
    }

    /** Without -o, the trace is named after the script, in the current folder. */
    @Test
    void withoutANameTheTraceIsTheScriptsNameDotPyat() throws IOException, InterruptedException {
        Path python = Interpreters.anyPyenv();
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Cli r = Cli.runInChildJvm(cwd, cwd, "", "record", "--", python.toString(), dir.resolve("work.py").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith("pyalloc record: work.pyat: Python "), r.err());
        assertTrue(Files.isRegularFile(cwd.resolve("work.pyat")));
        assertTrue(Files.isDirectory(cwd.resolve("work.marks")));
        assertEquals(0, Cli.run("verify", cwd.resolve("work.pyat").toString()).exit());
    }

    /** Debian's python3 links libpython statically and has no headers installed: the recorder needs neither. */
    @Test
    void theSystemsStaticallyLinkedPython3IsRecordedExactly() throws IOException, InterruptedException {
        Path python = Interpreters.system();
        assumeTrue(python != null, "no /usr/bin/python3 on this machine");
        String minor = new String(new ProcessBuilder(python.toString(), "-c",
                "import sys; print('%d.%d' % sys.version_info[:2])").start().getInputStream().readAllBytes()).strip();
        assumeTrue(List.of("3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13").contains(minor),
                "/usr/bin/python3 is " + minor + ", which has no profile to verify against");
        recordAndVerify(python, minor, "system.pyat");
    }

    @Test
    void aVirtualEnvironmentsPythonIsRecordedExactly() throws IOException, InterruptedException {
        Path base = Interpreters.anyPyenv();
        assumeTrue(base != null, "no CPython 3.7+ under pyenv to make a virtual environment from");
        Path python = Interpreters.venv(base, dir.resolve("venv"));
        String minor = base.getParent().getParent().getFileName().toString().replaceFirst("\\.\\d+$", "");
        recordAndVerify(python, minor, "venv.csv.gz");
        String header = TraceFiles.lines(dir.resolve("venv.csv.gz")).get(1);
        assertEquals("# executable " + python, header, "sys.executable's path, as the program sees it");
    }

    /** A wrapper script that execs the interpreter, as Debian's 3.14 and 3.15 here are run. */
    @Test
    void anInterpreterBehindAWrapperScriptIsRecordedExactly() throws IOException {
        Path base = Interpreters.anyPyenv();
        assumeTrue(base != null, "no CPython 3.7+ under pyenv");
        Path wrapper = dir.resolve("wrapped-python");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + base + " \"$@\"\n");
        assertTrue(wrapper.toFile().setExecutable(true));
        String minor = base.getParent().getParent().getFileName().toString().replaceFirst("\\.\\d+$", "");
        recordAndVerify(wrapper, minor, "wrapped.pyat");
    }

    /**
     * Debian's 3.14 and 3.15 (wrapper scripts that exec the interpreter through a separate ld.so): the
     * recording works and the trace is well-formed. Verifying it is {@link #debiansNewVersionsVerifyExactly}.
     */
    @ParameterizedTest(name = "Debian CPython {0}")
    @ValueSource(strings = {"3.14", "3.15"})
    void debiansNewVersionsAreRecorded(String minor) throws IOException {
        Path python = Interpreters.debian(minor);
        assumeTrue(python != null, "Debian's CPython " + minor + " is not unpacked in " + Interpreters.debianPrefix()
                + " (src/test/scripts/debian-cpython.sh does it; it needs Debian's package servers)");
        Path trace = dir.resolve("debian-" + minor + ".csv");
        Cli rec = Cli.run("record", "-o", trace.toString(), "--", python.toString(), dir.resolve("work.py").toString());
        assertEquals(0, rec.exit(), rec.err());
        List<String> lines = Files.readAllLines(trace);
        assertTrue(lines.get(0).matches("# python " + minor.replace(".", "\\.") + "\\.\\d+"), lines.get(0));
        assertTrue(lines.get(1).startsWith("# executable /"), lines.get(1));
        assertEquals("# sites 1", lines.get(4), "call sites are recorded by default");
        assertEquals("op,ptr,size,new_ptr,domain,ns,label,site", lines.get(5));
        List<String> marks = TraceFiles.marks(trace);
        assertEquals(List.of("built", "halved", "exit"), marks);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("arena_alloc,0x")), "arena rows");
        assertTrue(lines.stream().anyMatch(l -> l.matches("alloc,0x\\p{XDigit}+,\\d+,,obj,\\d+,")), "obj rows");
        assertTrue(lines.stream().anyMatch(l -> l.matches("alloc,0x\\p{XDigit}+,\\d+,,obj,\\d+,,\\d+")), "sited rows");
        for (String mark : marks) {
            assertTrue(Files.readString(dir.resolve("debian-" + minor + ".marks/" + mark + ".txt"))
                    .startsWith("Small block threshold = 512, in 32 size classes."), mark);
        }
    }

    /** Verifies Debian's 3.14 and 3.15 recordings once pyalloc has those versions' profiles. */
    @ParameterizedTest(name = "Debian CPython {0}")
    @ValueSource(strings = {"3.14", "3.15"})
    void debiansNewVersionsVerifyExactly(String minor) throws IOException {
        Path python = Interpreters.debian(minor);
        assumeTrue(python != null, "Debian's CPython " + minor + " is not unpacked in " + Interpreters.debianPrefix());
        assumeTrue(Cli.run("profiles").out().contains("\ncpython-" + minor + ","),
                "profile cpython-" + minor + " not available");
        recordAndVerify(python, minor, "debian-verified-" + minor + ".pyat");
    }

    @Test
    void theProgramsExitCodePassesThroughAndItsTraceIsKept() throws IOException {
        Path python = Interpreters.anyPyenv();
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Path trace = dir.resolve("fails.csv");
        Cli r = Cli.run("record", "-o", trace.toString(), "--", python.toString(), dir.resolve("work.py").toString(), "3");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("the program exited 3"), r.err());
        assertTrue(Files.readString(trace).startsWith("# python 3."), "the trace of a failing program is kept");
    }

    /**
     * The program writes to the real standard streams, not to picocli's writers, so this runs pyalloc in a JVM of its
     * own (in this one the program's output would land in surefire's channel to Maven).
     */
    @Test
    void theProgramsStandardStreamsPassThroughAndPyallocWritesOnlyToStandardError()
            throws IOException, InterruptedException {
        Path python = Interpreters.anyPyenv();
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Path echo = dir.resolve("echo.py");
        Files.writeString(echo, String.join("\n",
                "import sys",
                "line = sys.stdin.readline().strip()",
                "print('out', line, sys.argv[1:])",
                "print('err', line, file=sys.stderr)",
                "sys.exit(4)",
                ""));
        Path trace = dir.resolve("echo.csv");
        Cli r = Cli.runInChildJvm(dir, "hello\n", "record", "-o", trace.toString(), "--", python.toString(),
                echo.toString(), "a b");
        assertEquals(4, r.exit(), r.err());
        assertEquals("out hello ['a b']\n", r.out(), "standard output holds the program's output and nothing else");
        assertTrue(r.err().contains("err hello\n"), r.err());
        assertTrue(r.err().endsWith("the program exited 4\n"), r.err());
        assertTrue(Files.readString(trace).startsWith("# python 3."));
    }

    @Test
    void aMissingInterpreterIsAUsageError() {
        Cli r = Cli.run("record", "-o", dir.resolve("x.csv").toString(), "--", "/nonexistent/python3.99", "x.py");
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().startsWith("pyalloc record: /nonexistent/python3.99: no such interpreter"), r.err());
        assertFalse(Files.exists(dir.resolve("x.csv")));
    }

    @Test
    void somethingThatIsNotAPythonIsAUsageError() {
        Cli r = Cli.run("record", "-o", dir.resolve("x.csv").toString(), "--python", "/bin/echo", "--", "x.py");
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().startsWith("pyalloc record: /bin/echo is not a Python 3 interpreter"), r.err());
    }

    @Test
    void python36IsRefusedWithTheReason() throws IOException {
        Path py36 = Interpreters.pyenv("3.6");
        assumeTrue(py36 != null, "CPython 3.6 is not installed");
        Cli r = Cli.run("record", "-o", dir.resolve("x.csv").toString(), "--python", py36.toString(), "--", "x.py");
        assertEquals(ExitCode.CANNOT_RECORD, r.exit());
        assertTrue(r.err().contains("before 3.7, start-up resets allocator hooks"), r.err());
    }

    @Test
    void devModeIsRefusedBeforeTheProgramRuns() throws IOException {
        Path python = Interpreters.anyPyenv();
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Cli r = Cli.run("record", "-o", dir.resolve("dev.csv").toString(), "--", python.toString(), "-X", "dev",
                dir.resolve("work.py").toString());
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().startsWith("pyalloc record: -X dev installs debug allocators"), r.err());
        assertFalse(Files.exists(dir.resolve("dev.csv")));
    }

    @Test
    void pythonmallocAndDevModeVariablesAreRefused() {
        RecordException e = assertThrows(RecordException.class,
                () -> Recording.refuseHookReplacingSettings(List.of("app.py"), Map.of("PYTHONMALLOC", "pymalloc")));
        assertEquals(RecordException.Reason.REFUSED_SETTING, e.reason());
        assertTrue(e.getMessage().startsWith("PYTHONMALLOC is set (PYTHONMALLOC=pymalloc)"), e.getMessage());
        e = assertThrows(RecordException.class,
                () -> Recording.refuseHookReplacingSettings(List.of("-Xdev"), Map.of()));
        assertTrue(e.getMessage().startsWith("-X dev"), e.getMessage());
        e = assertThrows(RecordException.class,
                () -> Recording.refuseHookReplacingSettings(List.of(), Map.of("PYTHONDEVMODE", "1")));
        assertTrue(e.getMessage().startsWith("PYTHONDEVMODE is set"), e.getMessage());
    }

    /** A wrapper that clears LD_PRELOAD: the probe sees it, and nothing runs untraced. */
    @Test
    void anInterpreterThatDropsThePreloadIsExplained() throws IOException {
        Path base = Interpreters.anyPyenv();
        assumeTrue(base != null, "no CPython 3.7+ under pyenv");
        Path wrapper = dir.resolve("sanitizing-python");
        Files.writeString(wrapper, "#!/bin/sh\nexec env -u LD_PRELOAD " + base + " \"$@\"\n");
        assertTrue(wrapper.toFile().setExecutable(true));
        Path marker = dir.resolve("ran");
        Cli r = Cli.run("record", "-o", dir.resolve("dropped.csv").toString(), "--", wrapper.toString(), "-c",
                "open(r'" + marker + "', 'w').close()");
        assertEquals(ExitCode.CANNOT_RECORD, r.exit(), r.err());
        assertTrue(r.err().contains("did not take the recorder library: either something between pyalloc and the"
                + " interpreter drops LD_PRELOAD"), r.err());
        assertFalse(Files.exists(marker), "the program must not run untraced");
        assertFalse(Files.exists(dir.resolve("dropped.csv")));
    }

    @Test
    void aCompileFailureSaysWhatFailed() {
        RecordException e = assertThrows(RecordException.class,
                () -> RecorderLibrary.in(dir.resolve("cache"), "false"));
        assertEquals(RecordException.Reason.UNSUPPORTED, e.reason());
        assertEquals("compiling the recorder library failed (false): exit code 1", e.getMessage());
        e = assertThrows(RecordException.class, () -> RecorderLibrary.in(dir.resolve("cache"), "/nonexistent/cc"));
        assertTrue(e.getMessage().startsWith("cannot run the C compiler /nonexistent/cc"), e.getMessage());
    }

    @Test
    void unrecordableInterpretersAreExplained() {
        Interpreter noPreload = new Interpreter("/x/python3", "3.12.1", "cpython", false, true, false);
        RecordException e = assertThrows(RecordException.class, noPreload::checkRecordable);
        assertTrue(e.getMessage().contains("did not take the recorder library"), e.getMessage());
        Interpreter ft = new Interpreter("/x/python3", "3.13.0", "cpython", true, true, true);
        e = assertThrows(RecordException.class, ft::checkRecordable);
        assertTrue(e.getMessage().contains("free-threaded"), e.getMessage());
        Interpreter noPymalloc = new Interpreter("/x/python3", "3.12.1", "cpython", false, false, true);
        e = assertThrows(RecordException.class, noPymalloc::checkRecordable);
        assertTrue(e.getMessage().contains("--without-pymalloc"), e.getMessage());
        Interpreter pypy = new Interpreter("/x/pypy3", "3.10.14", "pypy", false, false, false);
        e = assertThrows(RecordException.class, pypy::checkRecordable);
        assertTrue(e.getMessage().contains("is pypy, not CPython"), e.getMessage());
    }

    @Test
    void noProgramIsAUsageError() {
        Cli r = Cli.run("record", "-o", dir.resolve("x.csv").toString());
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().contains("no program to record"), r.err());
    }

    @Test
    void anOutputThatIsAFolderIsAnIoError() throws IOException {
        Path python = Interpreters.anyPyenv();
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Files.createDirectories(dir.resolve("a-folder"));
        Cli r = Cli.run("record", "-o", dir.resolve("a-folder").toString(), "--", python.toString(), "-c", "pass");
        assertEquals(ExitCode.IO, r.exit());
        assertTrue(r.err().contains("a-folder is a folder; give a trace file name"), r.err());
    }
}
