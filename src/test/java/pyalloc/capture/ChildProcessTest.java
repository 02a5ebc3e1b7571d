package pyalloc.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.cli.Cli;

/**
 * Issue 13: a program that starts other Python processes gets one trace per Python process, each child's
 * beside the main one with its process id in the name, each exact on its own; {@code --no-children} traces
 * the main process only.
 */
final class ChildProcessTest {
    @TempDir
    static Path dir;
    static Path python;

    /** The child's pid goes to argv[1]'s file; whether the child could import pyalloc to argv[2]'s. */
    static final String PARENT = String.join("\n",
            "import subprocess, sys",
            "import pyalloc",
            "child = '''",
            "import os, sys",
            "try:",
            "    import pyalloc",
            "except ImportError:",
            "    pyalloc = None",
            "d = [str(i) * 2 for i in range(2000)]",
            "if pyalloc: pyalloc.mark('child-built')",
            "open(sys.argv[1], 'w').write('%d %s' % (os.getpid(), bool(pyalloc)))",
            "'''",
            "pyalloc.mark('before-child')",
            "subprocess.run([sys.executable, '-c', child, sys.argv[1]], check=True)",
            "pyalloc.mark('after-child')",
            "");

    static final String POOL = String.join("\n",
            "import multiprocessing as mp, sys",
            "def square(x):",
            "    return x * x",
            "if __name__ == '__main__':",
            "    for method in sys.argv[1:]:",
            "        pool = mp.get_context(method).Pool(1)",
            "        print(method, sum(pool.map(square, range(50))))",
            "        pool.close()",
            "        pool.join()",
            "");

    @BeforeAll
    static void programs() throws IOException {
        python = Interpreters.anyPyenv();
        Files.writeString(dir.resolve("parent.py"), PARENT);
        Files.writeString(dir.resolve("pool.py"), POOL);
    }

    @Test
    void aSubprocessGetsItsOwnTraceNamedWithItsPidThatVerifies() throws IOException {
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Path out = dir.resolve("sub");
        Path trace = out.resolve("app.csv.gz");
        Cli rec = Cli.run("record", "-o", trace.toString(), "--", python.toString(), dir.resolve("parent.py").toString(),
                dir.resolve("child.txt").toString());
        assertEquals(0, rec.exit(), rec.err());
        String[] child = Files.readString(dir.resolve("child.txt")).split(" ");
        assertEquals("True", child[1], "the child imports pyalloc");
        Path childTrace = out.resolve("app." + child[0] + ".csv.gz");
        assertTrue(rec.err().contains("pyalloc record: 1 child process traced: " + childTrace + " (Python "), rec.err());
        assertTrue(rec.err().contains(", 2 marks)"), rec.err());
        assertEquals(List.of("child-built", "exit"), TraceFiles.marks(childTrace));
        assertEquals(List.of("before-child", "after-child", "exit"), TraceFiles.marks(trace));
        assertTrue(Files.isRegularFile(out.resolve("app." + child[0] + ".marks/child-built.txt")));

        Cli ver = Cli.run("verify", childTrace.toString());
        assertEquals(0, ver.exit(), ver.out() + ver.err());
        assertTrue(ver.out().matches("(?s).*\naddresses: (\\d+) of \\1 blocks exact\nmarks: 2 of 2 identical\n"),
                ver.out());
        ver = Cli.run("verify", trace.toString());
        assertEquals(0, ver.exit(), ver.out() + ver.err());
        assertTrue(ver.out().endsWith("marks: 3 of 3 identical\n"), ver.out());
    }

    @Test
    void noChildrenTracesOnlyTheMainProcessAndLeavesTheChildUntouched() throws IOException {
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Path out = dir.resolve("alone");
        Path trace = out.resolve("app.csv");
        Cli rec = Cli.run("record", "-o", trace.toString(), "--no-children", "--", python.toString(),
                dir.resolve("parent.py").toString(), dir.resolve("alone.txt").toString());
        assertEquals(0, rec.exit(), rec.err());
        assertEquals("False", Files.readString(dir.resolve("alone.txt")).split(" ")[1], "no pyalloc in the child");
        assertFalse(rec.err().contains("child"), rec.err());
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("app.csv", "app.marks"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(0, Cli.run("verify", trace.toString()).exit());
    }

    /**
     * multiprocessing's spawn and forkserver start fresh interpreters (workers, the forkserver, the resource
     * tracker): each is traced and exact. The forkserver's workers are fork()ed from it and stay untraced.
     */
    @Test
    void multiprocessingsSpawnedInterpretersAreTracedAndVerify() throws IOException {
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Path out = dir.resolve("pool");
        Path trace = out.resolve("pool.pyat");
        Cli rec = Cli.run("record", "-q", "-o", trace.toString(), "--", python.toString(),
                dir.resolve("pool.py").toString(), "spawn", "forkserver");
        assertEquals(0, rec.exit(), rec.err());
        assertEquals("", rec.err());
        List<Path> children;
        try (Stream<Path> s = Files.list(out)) {
            children = s.filter(p -> p.getFileName().toString().matches("pool\\.\\d+\\.pyat")).sorted().toList();
        }
        // spawn: a worker and the resource tracker; forkserver: the server (its workers are forks)
        assertTrue(children.size() >= 3, children.toString());
        Pattern exact = Pattern.compile("(?s).*\naddresses: (\\d+) of \\1 blocks exact\nmarks: 1 of 1 identical\n");
        for (Path c : children) {
            Cli ver = Cli.run("verify", c.toString());
            Matcher m = exact.matcher(ver.out());
            assertEquals(0, ver.exit(), c + ": " + ver.out() + ver.err());
            assertTrue(m.matches(), c + ": " + ver.out());
            assertEquals(List.of("exit"), TraceFiles.marks(c), c.toString());
            assertTrue(compressed(c), c + "'s blocks are compressed once the child has ended");
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".")).toList(), "no temporary"
                    + " files");
        }
    }

    /** Returns whether the binary trace's first block is zstd-compressed (codec 1 after its event count). */
    static boolean compressed(Path trace) throws IOException {
        byte[] b = Files.readAllBytes(trace);
        int at = 12;
        while (b[at] != 'B') {
            at += 9 + java.nio.ByteBuffer.wrap(b, at + 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        }
        int p = at + 5;
        while (b[p] < 0) {
            p++;  // the event count's varint
        }
        return b[p + 1] == 1;
    }
}
