package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.TestTraces;

/**
 * Issue 4: every user mistake gets one line naming file, line and offending text, a documented exit code,
 * never a stack trace; anomalies are counted (or fatal with --strict); no failed run harms a previous report.
 */
final class BadInputTest {
    @TempDir
    Path dir;

    private static final String HEADER = "op,ptr,size,new_ptr,domain,ns,label";

    static Stream<Arguments> malformedRows() {
        return Stream.of(
                Arguments.of("alocate,0x10,48,,obj,5,", "t.csv:3: unknown op \"alocate\" (expected alloc, malloc, a,"),
                Arguments.of("alloc,,48,,obj,5,", "t.csv:3: ptr is missing (alloc needs one)"),
                Arguments.of("alloc,0x10,,,obj,5,", "t.csv:3: size is missing (alloc needs one)"),
                Arguments.of("alloc,0x10,-12,,obj,5,", "t.csv:3: size \"-12\" is not a non-negative integer"),
                Arguments.of("alloc,0x10,4k,,obj,5,", "t.csv:3: size \"4k\" is not a non-negative integer"),
                Arguments.of("alloc,0x10,99999999999999999999,,obj,5,",
                        "t.csv:3: size \"99999999999999999999\" is too large (the largest request CPython accepts"),
                Arguments.of("alloc,0x10,48,,obj,1,", "t.csv:3: ns \"1\" goes backwards (an earlier row has 2)"),
                Arguments.of("alloc,0x10,48,,obj,5,,x,y", "t.csv:3: row has 9 fields but the header has 7 columns"),
                Arguments.of("alloc,0x10,48,,heap,5,", "t.csv:3: domain \"heap\" is not obj, mem or raw"),
                Arguments.of("mark,,,,,5,", "t.csv:3: mark has no label"),
                Arguments.of("alloc,\"0x10,48,,obj,5,", "t.csv:3: quoted field is never closed"),
                Arguments.of("al\"loc,0x10,48,,obj,5,", "t.csv:3: unknown op \"al\\\"loc\" (expected"),
                Arguments.of("\u0001\u00ff\u0000garbage", "t.csv:3: unknown op \"\\x01\\xc3\\xbf\\x00garbage\""),
                Arguments.of("realloc,,48,,obj,5,", "t.csv:3: realloc has neither ptr nor new_ptr"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformedRows")
    void malformedRowIsOneLineWithFileLineAndTextAndExit3(String row, String message) {
        String trace = TestTraces.write(dir, "t.csv", HEADER, "alloc,0x20,16,,obj,2,", row, "free,0x20,,,obj,9,");
        Cli r = Cli.run("replay", trace, "-o", dir.resolve("out").toString());
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        String expected = "pyalloc replay: " + dir.resolve("t.csv") + message.substring("t.csv".length());
        assertTrue(r.err().startsWith(expected),
                r.err() + " does not start with " + expected);
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(Files.exists(dir.resolve("out")), "no report from a failed run");
    }

    /** The replay stops at a bad row while the reading thread is still reading and parsing far ahead. */
    @Test
    void anEarlyErrorInALargeTraceStopsTheReaderCleanly() throws IOException {
        StringBuilder t = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < 300_000; i++) {
            String p = Long.toHexString(0x7f0000001000L + 16L * (i % 1000));
            t.append("alloc,0x").append(p).append(i == 50 ? ",4k" : ",16").append(",,obj,").append(i).append(",\n");
            t.append("free,0x").append(p).append(",,,obj,").append(i).append(",\n");
        }
        Path trace = dir.resolve("big.csv");
        Files.writeString(trace, t);
        for (int run = 0; run < 3; run++) {
            Cli r = Cli.run("replay", trace.toString(), "--no-report");
            assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
            assertTrue(r.err().contains("big.csv:102: size \"4k\" is not"), r.err());
        }
    }

    @Test
    void emptyFileAndHeaderWithoutOp() {
        Cli empty = Cli.run("replay", TestTraces.write(dir, "e.csv", ""), "--no-report");
        assertEquals(ExitCode.BAD_TRACE, empty.exit());
        assertTrue(empty.err().contains("e.csv: is empty: no header line"), empty.err());
        Cli noOp = Cli.run("replay", TestTraces.write(dir, "h.csv", "ptr,size", "0x10,48"), "--no-report");
        assertEquals(ExitCode.BAD_TRACE, noOp.exit());
        assertTrue(noOp.err().contains("h.csv:1: header \"ptr,size\" has no \"op\" column"), noOp.err());
    }

    @Test
    void namedGzButNotGzipAndGzipCutShort() throws IOException {
        Cli notGz = Cli.run("replay", TestTraces.write(dir, "x.csv.gz", HEADER, "alloc,0x10,48,,obj,1,"),
                "--no-report");
        assertEquals(ExitCode.BAD_TRACE, notGz.exit());
        assertTrue(notGz.err().contains("x.csv.gz: is named .gz but is not gzip-compressed"), notGz.err());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            StringBuilder sb = new StringBuilder(HEADER).append('\n');
            for (int i = 0; i < 20000; i++) {
                sb.append("alloc,0x").append(Integer.toHexString(16 * i + 16)).append(",48,,obj,").append(i).append(",\n");
            }
            gz.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] all = bytes.toByteArray();
        Path cut = dir.resolve("cut.csv.gz");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        Cli r = Cli.run("replay", cut.toString(), "--no-report");
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        assertTrue(r.err().matches("(?s)pyalloc replay: .*cut.csv.gz: gzip stream is cut short after line \\d+\\n"), r.err());
    }

    /** Found by CorruptionFuzzTest: a gzip file cut inside its 10-byte header was an I/O error naming nothing. */
    @Test
    void gzipCutShortOrCorruptInItsHeader() throws IOException {
        Path three = dir.resolve("three.csv.gz");
        Files.write(three, new byte[] {0x1f, (byte) 0x8b, 8});
        Cli cut = Cli.run("replay", three.toString(), "--no-report");
        assertEquals(ExitCode.BAD_TRACE, cut.exit(), cut.err());
        assertEquals("pyalloc replay: " + three + ": gzip header is cut short\n", cut.err());

        Path method = dir.resolve("method.csv.gz");
        Files.write(method, new byte[] {0x1f, (byte) 0x8b, 7, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3});
        Cli bad = Cli.run("replay", method.toString(), "--no-report");
        assertEquals(ExitCode.BAD_TRACE, bad.exit(), bad.err());
        assertTrue(bad.err().startsWith("pyalloc replay: " + method + ": gzip header is corrupt ("), bad.err());
        assertEquals(1, bad.err().lines().count(), bad.err());
    }

    @Test
    void missingFileIsAnIoError() {
        Cli r = Cli.run("replay", dir.resolve("nope.csv").toString(), "--no-report");
        assertEquals(ExitCode.IO, r.exit());
        assertEquals("pyalloc replay: " + dir.resolve("nope.csv") + ": no such file or folder\n", r.err());
    }

    private String anomalousTrace() {
        return TestTraces.write(dir, "a.csv", "op,ptr,size",
                "alloc,0x10,48",
                "free,0x99",            // line 3: free of a pointer that is not live
                "alloc,0x10,32",        // line 4: alloc of a live pointer
                "realloc,0x77,64",      // line 5: realloc of a pointer that is not live
                "arena_free,0x5000",    // line 6: unknown arena
                "free,0x10",
                "free,0x77");
    }

    @Test
    void anomaliesAreCountedAndListedAndReplayGoesOn() throws IOException {
        Path out = dir.resolve("rep");
        Cli r = Cli.run("replay", anomalousTrace(), "-o", out.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("anomalies  4 (free_unknown 1, realloc_unknown 1, alloc_live 1, arena_free_unknown 1);"
                + " first at line 3"), r.out());
        List<String> csv = Files.readAllLines(out.resolve("anomalies.csv"));
        assertEquals("kind,line,ptr,description", csv.get(0));
        assertTrue(csv.get(1).startsWith("free_unknown,3,0x99,"), csv.get(1));
        assertTrue(csv.get(2).startsWith("alloc_live,4,0x10,"));
        assertTrue(csv.get(3).startsWith("realloc_unknown,5,0x77,"));
        assertTrue(csv.get(4).startsWith("arena_free_unknown,6,0x5000,"));
    }

    @Test
    void anAllocOfALivePointerIsFoundWhileBlocksAreFoundByAddress() throws IOException {
        // Real addresses (every small block where 3.12 puts it), so the replay finds blocks by address and keeps
        // only raw-served blocks in its map; a pointer allocated twice must still be caught either way.
        String trace = TestTraces.write(dir, "live.csv", "op,ptr,size,new_ptr,domain,ns,label",
                "arena_alloc,0x7f0000000000,1048576,,,1,",
                "alloc,0x7f0000000030,16,,obj,2,",   // block 0 of pool 0
                "alloc,0x560000001000,600,,obj,3,",  // raw-served
                "alloc,0x560000001000,700,,obj,4,",  // line 5: raw over raw
                "alloc,0x7f0000000040,16,,obj,5,",   // block 1
                "alloc,0x7f0000000050,600,,obj,6,",  // raw-served, at block 2's address
                "alloc,0x7f0000000050,16,,obj,7,",   // line 8: block 2 over a live raw-served block
                "free,0x7f0000000050,,,obj,8,",
                "free,0x7f0000000040,,,obj,9,",
                "free,0x7f0000000030,,,obj,10,",
                "free,0x560000001000,,,obj,11,");
        Path out = dir.resolve("rep");
        Cli r = Cli.run("replay", trace, "-p", "cpython-3.12", "-o", out.toString(), "--no-charts");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("anomalies  2 (alloc_live 2); first at line 5"), r.out());
        List<String> csv = Files.readAllLines(out.resolve("anomalies.csv"));
        assertTrue(csv.get(1).startsWith("alloc_live,5,0x560000001000,"), csv.get(1));
        assertTrue(csv.get(2).startsWith("alloc_live,8,0x7f0000000050,"), csv.get(2));
        assertEquals(3, csv.size());
    }

    @Test
    void strictStopsAtTheFirstAnomalyWithExit5() {
        Cli r = Cli.run("replay", anomalousTrace(), "--strict", "--no-report");
        assertEquals(ExitCode.ANOMALY, r.exit());
        assertEquals("pyalloc replay: " + dir.resolve("a.csv") + ":3: free of a pointer that is not live (0x99) (--strict)\n",
                r.err());
    }

    @Test
    void lenientSkipsMalformedRowsAndCountsThem() throws IOException {
        String trace = TestTraces.write(dir, "l.csv", "op,ptr,size", "alloc,0x10,48", "alloc,0x20,-1", "bogus,1,2",
                "free,0x10");
        Path out = dir.resolve("rep");
        Cli r = Cli.run("replay", trace, "--lenient", "-o", out.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("skipped    2 malformed rows (--lenient)"), r.out());
        assertTrue(r.err().contains("skipped " + dir.resolve("l.csv") + ":3: size \"-1\" is not a non-negative integer"),
                r.err());
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertTrue(summary.get(0).endsWith(",skipped_rows"));
        assertTrue(summary.get(1).endsWith(",2"), summary.get(1));
    }

    @Test
    void strictAndLenientExcludeEachOther() {
        Cli r = Cli.run("replay", anomalousTrace(), "--strict", "--lenient");
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().contains("mutually exclusive"), r.err());
    }

    @Test
    void aFailedRunLeavesThePreviousReportIntactAndNoTemporaryFiles() throws IOException {
        Path out = dir.resolve("rep");
        String good = TestTraces.write(dir, "good.csv", "op,ptr,size,label", "alloc,0x10,48,", "mark,,,one");
        assertEquals(ExitCode.OK, Cli.run("replay", good, "-o", out.toString(), "--no-charts").exit());
        String before = Files.readString(out.resolve("marks.csv"));
        String bad = TestTraces.write(dir, "bad.csv", "op,ptr,size", "alloc,0x10,48", "alloc,0x20,x");
        Cli r = Cli.run("replay", bad, "-o", out.toString());
        assertEquals(ExitCode.BAD_TRACE, r.exit());
        assertEquals(before, Files.readString(out.resolve("marks.csv")), "the previous report is untouched");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList(),
                    "no temporary folders left behind");
        }
    }

    @Test
    void anInterruptedRunLeavesThePreviousReportAndNoTemporaryFolder() throws IOException, InterruptedException {
        Path out = dir.resolve("rep");
        String good = TestTraces.write(dir, "good.csv", "op,ptr,size", "alloc,0x10,48");
        assertEquals(ExitCode.OK, Cli.run("replay", good, "-o", out.toString(), "--no-charts").exit());
        String before = Files.readString(out.resolve("summary.csv"));
        // A replay of standard input that never ends: it blocks mid-trace with its temporary folder open.
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PyallocCommand.class.getName(), "replay", "-",
                "-o", out.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write("op,ptr,size\nalloc,0x10,48\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (temporaryFolders().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(1, temporaryFolders().size(), "the run had started its report");
        p.destroy();  // SIGTERM: the JVM's shutdown hooks run, as on Ctrl-C
        p.waitFor();
        assertEquals(List.of(), temporaryFolders());
        assertEquals(before, Files.readString(out.resolve("summary.csv")));
    }

    private List<String> temporaryFolders() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".rep.tmp-")).toList();
        }
    }

    @Test
    void anUnwritableOutputIsAClearIoError() throws IOException {
        String trace = TestTraces.write(dir, "t.csv", "op,ptr,size", "alloc,0x10,48");
        Path file = dir.resolve("afile");
        Files.writeString(file, "x");
        Cli intoFile = Cli.run("replay", trace, "-o", file.toString());
        assertEquals(ExitCode.IO, intoFile.exit());
        assertEquals("pyalloc replay: " + file + " is a file, not a folder\n", intoFile.err());
        Cli under = Cli.run("replay", trace, "-o", file.resolve("sub").toString());
        assertEquals(ExitCode.IO, under.exit());
        assertTrue(under.err().contains("is a file, not a folder"), under.err());
        Cli proc = Cli.run("replay", trace, "-o", "/proc/pyalloc-cannot-write-here");
        assertEquals(ExitCode.IO, proc.exit(), proc.err());
        assertEquals(1, proc.err().lines().count(), proc.err());
    }

    @Test
    void aLiveSetLargerThanTheHeapIsExit7WithAHint() throws IOException, InterruptedException {
        Path trace = dir.resolve("huge.csv");
        try (var w = Files.newBufferedWriter(trace)) {
            w.write("op,ptr,size\n");
            for (int i = 1; i <= 3_000_000; i++) {
                w.write("alloc,0x");
                w.write(Integer.toHexString(i << 4));
                w.write(",48\n");
            }
        }
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-cp", System.getProperty("java.class.path"), PyallocCommand.class.getName(), "replay",
                trace.toString(), "--no-report").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(ExitCode.OUT_OF_MEMORY, p.waitFor(), output);
        assertTrue(output.contains("huge.csv: the live blocks of this trace do not fit in the Java heap"), output);
        assertTrue(output.contains("PYALLOC_JAVA_OPTS=-Xmx8g"), output);
        assertFalse(output.contains("OutOfMemoryError"), output);
    }
}
