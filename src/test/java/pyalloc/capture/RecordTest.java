package pyalloc.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.cli.Cli;
import pyalloc.cli.ExitCode;

/**
 * Issue 3: record a small workload with marks on every CPython 3.7-3.13 installed under pyenv, then verify it:
 * every block address and every mark must be exact. A version that is not installed is skipped with a reason.
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

    static Path pyenvRoot() {
        String root = System.getenv("PYENV_ROOT");
        return Path.of(root != null ? root : System.getProperty("user.home") + "/.pyenv");
    }

    /** Returns the newest installed patch release of each minor version, or a placeholder when missing. */
    static Stream<String> versions() {
        return Stream.of("3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13");
    }

    static Path interpreter(String minor) throws IOException {
        Path versions = pyenvRoot().resolve("versions");
        if (!Files.isDirectory(versions)) {
            return null;
        }
        try (Stream<Path> s = Files.list(versions)) {
            return s.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(minor) + "\\.\\d+"))
                    .map(p -> p.resolve("bin/python3")).filter(Files::isExecutable).max(Path::compareTo).orElse(null);
        }
    }

    @ParameterizedTest(name = "CPython {0}")
    @MethodSource("versions")
    void recordThenVerifyIsExact(String minor) throws IOException {
        Path python = interpreter(minor);
        assumeTrue(python != null, "CPython " + minor + " is not installed under " + pyenvRoot() + "/versions");
        Path trace = dir.resolve("work-" + minor + ".csv.gz");
        Cli rec = Cli.run("record", "-o", trace.toString(), "--python", python.toString(), "--",
                dir.resolve("work.py").toString());
        assertEquals(0, rec.exit(), rec.err());
        assertTrue(rec.err().contains("2 marks in work-" + minor + ".marks/"), rec.err());
        assertTrue(Files.readString(dir.resolve("work-" + minor + ".marks/built.txt"))
                .startsWith("Small block threshold = 512, in 32 size classes."));
        Cli ver = Cli.run("verify", trace.toString());
        assertEquals(0, ver.exit(), ver.out() + ver.err());
        String[] lines = ver.out().split("\n");
        assertEquals("profile: cpython-" + minor + " (from the trace header)", lines[0]);
        assertTrue(lines[1].matches("addresses: (\\d+) of \\1 blocks exact"), ver.out());
        assertEquals("marks: 2 of 2 identical", lines[2]);
        Cli replay = Cli.run("replay", trace.toString(), "--no-report");
        assertTrue(replay.out().contains("profile    cpython-" + minor + " (from the trace header)"), replay.out());
    }

    private static Path anyPython() throws IOException {
        for (String v : List.of("3.12", "3.11", "3.13", "3.10", "3.9", "3.8", "3.7")) {
            Path p = interpreter(v);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    @Test
    void theProgramsExitCodePassesThroughAndItsTraceIsKept() throws IOException {
        Path python = anyPython();
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
        Path python = anyPython();
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
        Path py36 = interpreter("3.6");
        assumeTrue(py36 != null, "CPython 3.6 is not installed");
        Cli r = Cli.run("record", "-o", dir.resolve("x.csv").toString(), "--python", py36.toString(), "--", "x.py");
        assertEquals(ExitCode.CANNOT_RECORD, r.exit());
        assertTrue(r.err().contains("before 3.7, start-up resets allocator hooks"), r.err());
    }

    @Test
    void aCompileFailureSaysWhatFailed() throws IOException, InterruptedException {
        Path python = anyPython();
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Interpreter real;
        try {
            real = Interpreter.probe(python.toString());
        } catch (RecordException e) {
            throw new AssertionError(e);
        }
        // Headers that do not exist: the compiler fails, and the message says so and names the compiler.
        Interpreter broken = new Interpreter(real.executable(), real.version(), dir.resolve("no-headers").toString(),
                real.libDir(), real.ldVersion(), true, false, "cpython");
        RecordException e = org.junit.jupiter.api.Assertions.assertThrows(RecordException.class,
                () -> Launcher.forInterpreter(broken, dir.resolve("cache")));
        assertEquals(ExitCode.CANNOT_RECORD, e.exitCode());
        assertTrue(e.getMessage().startsWith("compiling the recording launcher for Python " + real.version() + " failed"),
                e.getMessage());
        assertTrue(e.getMessage().contains("Python.h"), e.getMessage());
    }

    @Test
    void missingHeadersOrSharedLibraryAreExplained() {
        Interpreter noShared = new Interpreter("/x/python3", "3.12.1", "/x/include", "None", "3.12", false, false,
                "cpython");
        RecordException e = org.junit.jupiter.api.Assertions.assertThrows(RecordException.class,
                noShared::checkRecordable);
        assertTrue(e.getMessage().contains("has no shared libpython to embed; rebuild it with --enable-shared"),
                e.getMessage());
        Interpreter noHeaders = new Interpreter("/x/python3", "3.12.1", "/nonexistent", "/x/lib", "3.12", true, false,
                "cpython");
        e = org.junit.jupiter.api.Assertions.assertThrows(RecordException.class, noHeaders::checkRecordable);
        assertTrue(e.getMessage().contains("has no C headers"), e.getMessage());
        Interpreter ft = new Interpreter("/x/python3", "3.13.0", "/x", "/x/lib", "3.13t", true, true, "cpython");
        e = org.junit.jupiter.api.Assertions.assertThrows(RecordException.class, ft::checkRecordable);
        assertTrue(e.getMessage().contains("free-threaded"), e.getMessage());
    }

    @Test
    void noProgramIsAUsageError() {
        Cli r = Cli.run("record", "-o", dir.resolve("x.csv").toString());
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().contains("no program to record"), r.err());
    }
}
