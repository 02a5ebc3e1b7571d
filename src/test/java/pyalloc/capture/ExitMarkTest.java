package pyalloc.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pyalloc.cli.Cli;

/**
 * Issue 13: the recorder writes the mark 'exit' once the program's code has finished, its own atexit functions
 * included, and before finalization frees the interpreter's objects; CPython's statistics there verify exactly.
 */
final class ExitMarkTest {
    @TempDir
    static Path dir;

    /** Keeps 20,000 strings alive to the end; an atexit function adds 5,000 more and marks. */
    static final String PROGRAM = String.join("\n",
            "import atexit, sys",
            "import pyalloc",
            "kept = [str(i) * 3 for i in range(20000)]",
            "def late():",
            "    kept.extend(str(i) for i in range(5000))",
            "    pyalloc.mark('in-atexit')",
            "atexit.register(late)",
            "try:",
            "    pyalloc.mark('exit')",
            "except ValueError as e:",
            "    open(sys.argv[1], 'w').write(str(e))",
            "");

    /** The oldest and the newest pyenv version: the atexit module's machinery changed in 3.10 and 3.12. */
    @ParameterizedTest(name = "CPython {0}")
    @ValueSource(strings = {"3.7", "3.13"})
    void theExitMarkFollowsTheProgramsAtexitFunctionsAndVerifies(String minor) throws IOException {
        Path python = Interpreters.pyenv(minor);
        assumeTrue(python != null, "CPython " + minor + " is not installed under pyenv");
        Files.writeString(dir.resolve("late.py"), PROGRAM);
        Path trace = dir.resolve("late-" + minor + ".csv.gz");
        Path refusal = dir.resolve("refusal-" + minor + ".txt");
        Cli rec = Cli.run("record", "-o", trace.toString(), "--", python.toString(), dir.resolve("late.py").toString(),
                refusal.toString());
        assertEquals(0, rec.exit(), rec.err());
        assertTrue(Files.readString(refusal).contains("the label 'exit' is pyalloc's own mark"),
                "pyalloc.mark('exit') is refused: " + Files.readString(refusal));
        assertEquals(List.of("in-atexit", "exit"), TraceFiles.marks(trace));

        Cli ver = Cli.run("verify", trace.toString());
        assertEquals(0, ver.exit(), ver.out() + ver.err());
        assertTrue(ver.out().matches("(?s).*\naddresses: (\\d+) of \\1 blocks exact\nmarks: 2 of 2 identical\n"),
                ver.out());
        // At the exit mark the program's 25,000 strings are still allocated: finalization has not begun.
        long atExit = allocatedBytes(dir.resolve("late-" + minor + ".marks/exit.txt"));
        assertTrue(atExit > 25_000 * 48, "bytes in allocated blocks at exit: " + atExit);
    }

    private static long allocatedBytes(Path stats) throws IOException {
        Matcher m = Pattern.compile("# bytes in allocated blocks\\s+=\\s+([\\d,]+)").matcher(Files.readString(stats));
        assertTrue(m.find(), stats.toString());
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
