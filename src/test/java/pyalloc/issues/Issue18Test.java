package pyalloc.issues;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.TestTraces;
import pyalloc.cli.Cli;
import pyalloc.cli.ExitCode;
import pyalloc.cli.PyallocCommand;

/**
 * Issue 18: hostile input and faults (no silent loss, no crash, nothing left behind), one regression test per
 * item of the issue, each failing before its fix. The launcher-level cases (small heaps, /dev/full, signals,
 * a full disk) are in {@link pyalloc.cli.LauncherTest}; the mutations in {@link pyalloc.cli.CorruptionFuzzTest}.
 */
final class Issue18Test {
    @TempDir
    Path dir;

    /** A real trace, uncompressed. */
    static byte[] realTrace() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TestTraces.real("3.12", "startup")))) {
            return in.readAllBytes();
        }
    }

    static byte[] gzip(byte[] plain, int from, int to) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(plain, from, to - from);
        }
        return bytes.toByteArray();
    }

    /** Returns the offset just after the newline nearest the middle of {@code b}. */
    static int middleLine(byte[] b) {
        int at = b.length / 2;
        while (b[at - 1] != '\n') {
            at++;
        }
        return at;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** The report's files that do not depend on the wall clock, without their first column (the trace's name). */
    static String report(Path out) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"marks.csv", "timeline.csv", "arenas.csv"}) {
            Files.readAllLines(out.resolve(f)).forEach(l -> sb.append(l.substring(l.indexOf(',') + 1)).append('\n'));
        }
        return sb.toString();
    }

    static Path mkfifo(Path p) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor());
        return p;
    }

    /** Writes {@code parts} into the FIFO {@code p} on a thread, pausing between them as a slow pipe does. */
    static Thread feed(Path p, long pauseMs, byte[]... parts) {
        Thread t = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(p)) {
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        out.flush();
                        Thread.sleep(pauseMs);
                    }
                    out.write(parts[i]);
                }
            } catch (IOException | InterruptedException e) {
                // the reader stopped early: its exit code tells the test
            }
        }, "fifo-writer");
        t.start();
        return t;
    }

    // ---------------------------------------------------------------- 1. multi-member gzip

    /**
     * Item 1: {@code (gzip -c a; sleep 1; gzip -c b) | pyalloc replay -} replayed only the first member and exited 0
     * (GZIPInputStream looks for a next member only when its source's available() says bytes are waiting).
     */
    @Test
    void multiMemberGzipReplaysWholeFromAFileAndFromASlowPipe() throws Exception {
        byte[] plain = realTrace();
        int cut = middleLine(plain);
        byte[] first = gzip(plain, 0, cut);
        byte[] second = gzip(plain, cut, plain.length);
        Path whole = dir.resolve("whole.csv");
        Files.write(whole, plain);
        Cli ref = Cli.run("replay", whole.toString(), "-o", dir.resolve("ref").toString(), "--no-charts", "-q");
        assertEquals(ExitCode.OK, ref.exit(), ref.err());
        String expected = report(dir.resolve("ref"));

        Path file = dir.resolve("members.csv.gz");
        Files.write(file, concat(first, second));
        Cli fromFile = Cli.run("replay", file.toString(), "-o", dir.resolve("file").toString(), "--no-charts", "-q");
        assertEquals(ExitCode.OK, fromFile.exit(), fromFile.err());
        assertEquals(expected, report(dir.resolve("file")));

        Path fifo = mkfifo(dir.resolve("pipe.csv.gz"));
        Thread writer = feed(fifo, 300, first, second);
        Cli fromPipe = Cli.run("replay", fifo.toString(), "-o", dir.resolve("pipe").toString(), "--no-charts", "-q");
        writer.join();
        assertEquals(ExitCode.OK, fromPipe.exit(), fromPipe.err());
        assertEquals(expected, report(dir.resolve("pipe")), "the second member, a moment later, is replayed too");
    }

    /** Item 1's kin: what follows the last member and is not gzip was ignored; it may be a member broken in transit. */
    @Test
    void bytesAfterTheLastGzipMemberThatAreNotGzipAreAMalformedTrace() throws IOException {
        byte[] plain = realTrace();
        byte[] member = gzip(plain, 0, plain.length);
        Path t = dir.resolve("t.csv.gz");
        Files.write(t, concat(member, "garbage\n".getBytes(StandardCharsets.US_ASCII)));
        Cli r = Cli.run("replay", t.toString(), "--no-report");
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        long lines = new String(plain, StandardCharsets.US_ASCII).lines().count();
        assertEquals("pyalloc replay: " + t + ": gzip stream is corrupt after line " + lines + " (bytes after member 1,"
                + " from compressed byte " + member.length + ", are not gzip data)\n", r.err());

        // A second member cut short in its header is cut short, not the end of the trace.
        Files.write(t, concat(member, Arrays.copyOf(member, 5)));
        Cli cut = Cli.run("replay", t.toString(), "--no-report");
        assertEquals(ExitCode.BAD_TRACE, cut.exit(), cut.err());
        assertEquals("pyalloc replay: " + t + ": gzip stream is cut short after line " + lines
                + " (in the header of member 2)\n", cut.err());
    }

    // ---------------------------------------------------------------- 3. input that is not a regular file

    /** Item 3: a FIFO (and {@code <(zcat t.gz)}, a pipe under /dev/fd) failed with "Illegal seek", exit 4. */
    @Test
    void aFifoIsATraceLikeAnyOther() throws Exception {
        byte[] plain = realTrace();
        Path whole = dir.resolve("whole.csv");
        Files.write(whole, plain);
        assertEquals(ExitCode.OK, Cli.run("replay", whole.toString(), "-o", dir.resolve("ref").toString(),
                "--no-charts", "-q").exit());
        for (boolean compressed : new boolean[] {false, true}) {
            Path fifo = mkfifo(dir.resolve("fifo" + compressed));
            Thread writer = feed(fifo, 50, compressed ? gzip(plain, 0, plain.length) : plain);
            Path out = dir.resolve("out" + compressed);
            Cli r = Cli.run("replay", fifo.toString(), "-o", out.toString(), "--no-charts", "-q");
            writer.join();
            assertEquals(ExitCode.OK, r.exit(), r.err());
            assertEquals(report(dir.resolve("ref")), report(out));
        }
        assertTrue(List.of(dir.toFile().list()).contains("outtrue"));
    }

    // ---------------------------------------------------------------- 2. standard output that fails

    /** Runs pyalloc in-process with a standard output that refuses every write, as /dev/full does. */
    static Cli runWithFullStdout(String... args) {
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        StringWriter err = new StringWriter();
        CommandLine cmd = PyallocCommand.commandLine(args);
        cmd.setOut(new PrintWriter(full));
        cmd.setErr(new PrintWriter(err, true));
        return new Cli(PyallocCommand.execute(cmd, args), "", err.toString());
    }

    /**
     * Item 2: {@code pyalloc replay T --emit debugmallocstats --no-report > /dev/full} exited 0 with nothing on
     * standard error; so did every other command that writes standard output.
     */
    @Test
    void aFailedWriteToStandardOutputIsAnIoErrorForEveryCommand() {
        String trace = TestTraces.real("3.12", "startup").toString();
        String[][] commands = {
            {"replay", trace, "--emit", "debugmallocstats", "--no-report"},
            {"replay", trace, "--no-report"},
            {"verify", trace},
            {"profiles"},
            {"replay", "--help"},
            {"--help"},
            {"--version"},
        };
        for (String[] args : commands) {
            Cli r = runWithFullStdout(args);
            String name = String.join(" ", args);
            assertEquals(ExitCode.IO, r.exit(), name + ": " + r.err());
            assertTrue(r.err().matches("pyalloc( \\w+)?: standard output: write failed\n"), name + ": " + r.err());
        }
        // Nothing asked of standard output, nothing to fail.
        assertEquals(ExitCode.OK, runWithFullStdout("replay", trace, "--no-report", "-q").exit());
    }

    // ---------------------------------------------------------------- 4. value ranges

    /**
     * Item 4: 0x8000000000000000 was the allocator's "no address" answer, so the replay took its alloc for a block
     * found at its address and its free for a free of an unknown pointer; 32 bytes stayed live.
     */
    @Test
    void pointer0x8000000000000000IsAPointerLikeAnyOther() throws IOException {
        for (String[] rows : new String[][] {
            {"op,ptr,size", "alloc,0x8000000000000000,32", "free,0x8000000000000000"},
            {"op,ptr,size,new_ptr,domain,ns,label", "alloc,0x8000000000000000,32,,obj,1,",
                "realloc,0x8000000000000000,40,0x10,obj,2,", "realloc,0x10,600,0x8000000000000000,obj,3,",
                "free,0x8000000000000000,,,obj,4,", "alloc,0x8000000000000000,32,,mem,5,", "free,9223372036854775808,,,mem,6,"},
        }) {
            Path out = dir.resolve("rep");
            Cli r = Cli.run("replay", TestTraces.write(dir, "t.csv", rows), "-o", out.toString(), "--no-charts");
            assertEquals(ExitCode.OK, r.exit(), r.err());
            assertTrue(r.out().contains("anomalies  none"), r.out());
            assertTrue(Files.readString(out.resolve("marks.csv")).contains(",end,,"), "a final snapshot");
            assertEquals("0", column(out.resolve("summary.csv"), "requested_bytes"));
            assertEquals("0", column(out.resolve("summary.csv"), "raw_bytes"));
        }
    }

    /** Item 4: symbolic tokens' ids counted up from 0x8000000000000001, the ids of those very pointers. */
    @Test
    void tokensAndUpperHalfPointersNeverShareAnId() throws IOException {
        Path out = dir.resolve("rep");
        Cli r = Cli.run("replay", TestTraces.write(dir, "t.csv", "op,ptr,size",
                "alloc,a,32", "alloc,0x8000000000000001,48", "alloc,b,64", "alloc,0x8000000000000002,80",
                "free,a", "free,0x8000000000000001", "free,0x8000000000000002", "free,b",
                "free,0x8000000000000001",      // line 10: no longer live
                "free,a"),                      // line 11: nor is a
                "-o", out.toString(), "--no-charts");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertEquals("0", column(out.resolve("summary.csv"), "requested_bytes"));
        List<String> anomalies = Files.readAllLines(out.resolve("anomalies.csv"));
        assertEquals(List.of("kind,line,ptr,description",
                "free_unknown,10,0x8000000000000001,free of a pointer that is not live (ignored)",
                "free_unknown,11,a,free of a pointer that is not live (ignored)"), anomalies,
                "every pointer is named as the trace wrote it, a token as itself, the upper half in hex");
    }

    /**
     * Item 4: two live raw blocks of 2^63 - 1 bytes made raw_bytes negative. (The bytes allocated in all, the
     * allocation clock, pass 2^63 - 1 first when blocks come and go: that is the same error.)
     */
    @Test
    void liveBytesThatNoCountCanHoldAreAnErrorAtTheirLine() {
        String message = " brings the live blocks, or the bytes allocated in all, to more than " + Long.MAX_VALUE
                + " bytes (2^63 - 1), more than any 64-bit process can hold\n";
        for (String domain : new String[] {"obj", "mem", "raw"}) {
            String trace = TestTraces.write(dir, "t.csv", "op,ptr,size,domain",
                    "alloc,0x10," + Long.MAX_VALUE + "," + domain, "alloc,0x30,600," + domain);
            Cli r = Cli.run("replay", trace, "--no-report");
            assertEquals(ExitCode.BAD_TRACE, r.exit(), domain + ": " + r.err());
            assertEquals("pyalloc replay: " + trace + ":3: size 600" + message, r.err());
        }
        String total = TestTraces.write(dir, "t.csv", "op,ptr,size", "alloc,0x10," + Long.MAX_VALUE, "free,0x10",
                "alloc,0x20," + Long.MAX_VALUE);
        Cli r = Cli.run("replay", total, "--no-report");
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        assertEquals("pyalloc replay: " + total + ":4: size " + Long.MAX_VALUE + message, r.err());
    }

    /** Returns {@code csv} with field {@code column} of row {@code row} (1: the first after the header) set to {@code value}. */
    static String withField(String csv, int row, String column, String value) {
        List<String> lines = new java.util.ArrayList<>(csv.lines().toList());
        int at = List.of(lines.get(0).split(",", -1)).indexOf(column);
        String[] f = lines.get(row).split(",", -1);
        f[at] = value;
        lines.set(row, String.join(",", f));
        return String.join("\n", lines) + "\n";
    }

    /** Returns {@code column} of the first row of a report CSV. */
    static String column(Path csv, String column) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(",", -1));
        return lines.get(1).split(",", -1)[header.indexOf(column)];
    }

    // ---------------------------------------------------------------- 5. crashes on a user's input

    /** Item 5: an arena of one pool threw ArrayIndexOutOfBounds (a page-aligned base loses its only pool). */
    @Test
    void anArenaOfOnePoolIsAUsageError() {
        Cli r = Cli.run("replay", TestTraces.real("3.12", "startup").toString(), "--pool-size", "64K",
                "--arena-size", "64K", "--no-report");
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertEquals("pyalloc replay: what-if profile: arena size must be a power of two holding 2 to 4096 pools"
                + " of 65536 bytes, not 65536\n", r.err());
        Cli two = Cli.run("replay", TestTraces.real("3.12", "startup").toString(), "--pool-size", "64K",
                "--arena-size", "128K", "--no-report", "-q");
        assertEquals(ExitCode.OK, two.exit(), two.err());
    }

    /** Item 5: --samples 2000000000 threw NegativeArraySize; the timeline was allocated whole up front. */
    @Test
    void samplesAreBoundedAndCostMemoryOnlyAsTheTraceGoes() throws IOException {
        String trace = TestTraces.real("3.12", "startup").toString();
        for (String n : new String[] {"2000000000", "50000001", "1", "-5"}) {
            Cli r = Cli.run("replay", trace, "--samples", n, "--no-report");
            assertEquals(ExitCode.USAGE, r.exit(), n + ": " + r.err());
            assertEquals("pyalloc replay: --samples must be from 2 to 50000000\n", r.err());
        }
        Path out = dir.resolve("rep");
        Cli most = Cli.run("replay", trace, "--samples", "50000000", "-o", out.toString(), "--no-charts", "-q");
        assertEquals(ExitCode.OK, most.exit(), most.err());
        long events = Long.parseLong(column(out.resolve("summary.csv"), "events"));
        assertEquals(events + 2, Files.readAllLines(out.resolve("timeline.csv")).size(),
                "every event a sample, and the state before the first");
    }

    /**
     * Item 5: a path that cannot name a file here (a non-ASCII one under LC_ALL=C arrives mangled; a NUL never
     * names one) threw InvalidPathException. LauncherTest runs the non-ASCII case under LC_ALL=C.
     */
    @Test
    void aPathThatCannotNameAFileIsAUsageError() {
        String trace = TestTraces.real("3.12", "startup").toString();
        Cli in = Cli.run("replay", "t\u0000.csv", "--no-report");
        assertEquals(ExitCode.USAGE, in.exit(), in.err());
        assertTrue(in.err().startsWith("pyalloc replay: path \"t\\x00.csv\" cannot be a file name in this locale's"
                + " character set ("), in.err());
        assertEquals(1, in.err().lines().count(), in.err());
        Cli out = Cli.run("replay", trace, "-o", "r\u0000");
        assertEquals(ExitCode.USAGE, out.exit(), out.err());
        assertTrue(out.err().startsWith("pyalloc replay: Invalid value for option '--output-dir': path \"r\\x00\""
                + " cannot be a file name"), out.err());
        Cli chart = Cli.run("chart", "r\u0000");
        assertEquals(ExitCode.USAGE, chart.exit(), chart.err());
    }

    /** Item 5: pyalloc chart on a cut-short timeline.csv, or one with a garbage row, threw out of Commons CSV. */
    @Test
    void chartOnAMalformedReportNamesTheFileAndLine() throws IOException {
        Path good = dir.resolve("good");
        assertEquals(ExitCode.OK, Cli.run("replay", TestTraces.real("3.12", "startup").toString(), "-o",
                good.toString(), "--no-charts", "-q").exit());
        String timeline = Files.readString(good.resolve("timeline.csv"));
        int rows = (int) timeline.lines().count();
        String cut = timeline.substring(0, timeline.indexOf('\n', timeline.length() / 2) + 10);
        String[][] cases = {
            {"timeline.csv", cut, ":" + cut.lines().count() + ": row has "},
            {"timeline.csv", timeline + "garbage,row\n", ":" + (rows + 1) + ": row has 2 fields but the header has "
                + timeline.lines().findFirst().orElseThrow().split(",").length + " columns (cut short?)"},
            {"timeline.csv", withField(timeline, 1, "event", "0x"), ":2: event \"0x\" is not a number"},
            {"timeline.csv", "", ": is empty: no header line"},
            {"classes.csv", Files.readAllLines(good.resolve("classes.csv")).get(0) + "\nend,\"1\n",
                ":2: is not valid CSV (a quote never closed?)"},
            {"arenas.csv", "trace,profile,snapshot,slot,address\n", ":1: the header has no \"total_pools\" column"},
        };
        for (String[] c : cases) {
            Path broken = dir.resolve("broken");
            ReportDirs.copy(good, broken);
            Files.writeString(broken.resolve(c[0]), c[1]);
            Cli r = Cli.run("chart", broken.toString());
            assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
            assertTrue(r.err().startsWith("pyalloc chart: " + broken.resolve(c[0]) + c[2]), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            ReportDirs.delete(broken);
        }
        // Bytes that are not UTF-8, in a row or in the header (read first): "Input length = 1" said nothing.
        for (String file : new String[] {"timeline.csv", "classes.csv"}) {
            Path broken = dir.resolve("broken");
            ReportDirs.copy(good, broken);
            byte[] text = Files.readAllBytes(broken.resolve(file));
            Files.write(broken.resolve(file), file.equals("timeline.csv") ? concat(text, new byte[] {(byte) 0xff})
                    : new byte[] {'x', (byte) 0xff, '\n'});
            Cli r = Cli.run("chart", broken.toString());
            assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
            assertTrue(r.err().matches("pyalloc chart: " + broken.resolve(file) + ":\\d+: is not UTF-8 text\n"), r.err());
            ReportDirs.delete(broken);
        }
    }

    // ---------------------------------------------------------------- 7. leftovers

    /**
     * Item 7: after kill -9 a .NAME.tmp-PID folder stayed beside the report and no later run removed it (or the
     * .NAME.old-PID of a run killed mid-swap, the previous report itself). LauncherTest kills real runs.
     */
    @Test
    void aRunRemovesWhatKilledRunsLeftBesideItsReport() throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        long dead = done.pid();
        Path out = dir.resolve("rep");
        Files.createDirectories(dir.resolve(".rep.tmp-" + dead));
        Files.writeString(dir.resolve(".rep.tmp-" + dead).resolve("footprint.png"), "half a chart");
        Files.createDirectories(dir.resolve(".rep.old-" + dead));
        Files.writeString(dir.resolve(".rep.old-" + dead).resolve("summary.csv"), "the previous report\n");
        // A run that fails still puts the previous report back and clears the leftovers.
        Cli bad = Cli.run("replay", TestTraces.write(dir, "bad.csv", "op,ptr,size", "alloc,0x10,x"), "-o", out.toString());
        assertEquals(ExitCode.BAD_TRACE, bad.exit(), bad.err());
        assertEquals("the previous report\n", Files.readString(out.resolve("summary.csv")));
        assertEquals(List.of("bad.csv", "rep"), ReportDirs.names(dir));
    }

    /** Item 7's kin: -o naming a folder of the user's own deleted it (the swap deletes the folder it replaces). */
    @Test
    void aFolderThatIsNoReportIsRefusedAndKept() throws IOException {
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("thesis.tex"), "years of work");
        String trace = TestTraces.real("3.12", "startup").toString();
        Cli r = Cli.run("replay", trace, "-o", mine.toString(), "-q");
        assertEquals(ExitCode.IO, r.exit(), r.err());
        assertEquals("pyalloc replay: " + mine + " is a folder but no pyalloc report (it holds thesis.tex), and a"
                + " report replaces its folder whole: give -o a new folder, or a report's\n", r.err());
        assertEquals("years of work", Files.readString(mine.resolve("thesis.tex")));
        assertEquals(List.of("mine"), ReportDirs.names(dir));
        Cli root = Cli.run("replay", trace, "-o", "/", "-q");
        assertEquals(ExitCode.IO, root.exit(), root.err());
        assertEquals("pyalloc replay: / is the root folder, which a report cannot replace\n", root.err());
        // A report is replaced, again and again.
        Path rep = dir.resolve("rep");
        for (int i = 0; i < 2; i++) {
            Cli ok = Cli.run("replay", trace, "-o", rep.toString(), "-q", "--no-charts");
            assertEquals(ExitCode.OK, ok.exit(), ok.err());
        }
        assertEquals(List.of("mine", "rep"), ReportDirs.names(dir));
    }

    // ---------------------------------------------------------------- 8. smaller ones

    /** Item 8: a UTF-8 byte-order mark before the header (every spreadsheet writes one) was refused. */
    @Test
    void aByteOrderMarkBeforeTheHeaderIsNoPartOfIt() throws IOException {
        byte[] plain = realTrace();
        Files.write(dir.resolve("plain.csv"), plain);
        Files.write(dir.resolve("bom.csv"), concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, plain));
        for (String name : new String[] {"plain", "bom"}) {
            Cli r = Cli.run("replay", dir.resolve(name + ".csv").toString(), "-o", dir.resolve("r" + name).toString(),
                    "--no-charts", "-q");
            assertEquals(ExitCode.OK, r.exit(), r.err());
        }
        assertEquals(report(dir.resolve("rplain")), report(dir.resolve("rbom")));
        Cli shortHeader = Cli.run("replay", TestTraces.write(dir, "s.csv", "\ufeffop,ptr,size", "alloc,1,48"), "-q",
                "--no-report");
        assertEquals(ExitCode.OK, shortHeader.exit(), shortHeader.err());
    }

    /** Item 8: a 10 MB mark label was copied onto every row of classes.csv and arenas.csv (a 480 MB report). */
    @Test
    void aMarkLabelIsAtMost1024Bytes() {
        for (String header : new String[] {"op,ptr,size,label", "op,ptr,size,new_ptr,domain,ns,label"}) {
            String commas = header.startsWith("op,ptr,size,label") ? ",,," : ",,,,,,";
            String ok = TestTraces.write(dir, "ok.csv", header, "mark" + commas + "x".repeat(1024));
            assertEquals(ExitCode.OK, Cli.run("replay", ok, "--no-report", "-q").exit());
            String big = TestTraces.write(dir, "big.csv", header, "alloc,0x10,48" + commas.substring(2),
                    "mark" + commas + "x".repeat(10 << 20));
            Cli r = Cli.run("replay", big, "--no-report");
            assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
            assertEquals("pyalloc replay: " + big + ":3: mark label is 10485760 bytes long; at most 1024 are"
                    + " allowed\n", r.err());
        }
    }

    /** Item 8: a label with a newline broke the --emit debugmallocstats text (and could drive a terminal). */
    @Test
    void aLabelIsPrintedOnOneLineWithItsControlCharactersEscaped() {
        String trace = TestTraces.write(dir, "t.csv", "op,ptr,size,label", "alloc,0x10,48,",
                "mark,,,\"two\nlines \u001b[31mred\\\"", "free,0x10,,");
        Cli stats = Cli.run("replay", trace, "--no-report", "--emit", "debugmallocstats");
        assertEquals(ExitCode.OK, stats.exit(), stats.err());
        assertTrue(stats.out().startsWith("# mark two\\nlines \\x1b[31mred\\\\\nSmall block threshold"),
                stats.out());
        Cli summary = Cli.run("replay", trace, "--no-report");
        assertTrue(summary.out().contains("\ntwo\\nlines \\x1b" + "\u2026"), summary.out());
        assertTrue(summary.out().chars().noneMatch(c -> c == 0x1b), "no escape character reaches the terminal");
        // The same for the names of call sites, which the summary and its findings print in many places.
        String sites = TestTraces.write(dir, "s.csv", "op,ptr,size,label,site",
                "#frame,1,\"evil\u001b[31m\nfile.py\",10,\"fn\u0007\"", "#site,1,1,", "alloc,0x10,48,,1",
                "alloc,0x20,600,,1", "mark,,,m,");
        Cli withSites = Cli.run("replay", sites, "-o", dir.resolve("s").toString(), "--no-charts");
        assertEquals(ExitCode.OK, withSites.exit(), withSites.err());
        assertTrue(withSites.out().contains("evil\\x1b[31m"), withSites.out());
        assertTrue(withSites.out().chars().noneMatch(c -> c == 0x1b || c == 0x07), withSites.out());
    }

    /** Item 8's kin: verify looked for LABEL.txt with any label: a NUL threw, ../ looked outside the marks. */
    @Test
    void verifyLooksForStatisticsOnlyUnderLabelsThatNameAFileThere() throws IOException {
        Files.writeString(dir.resolve("passwd.txt"), "not statistics");
        Files.createDirectories(dir.resolve("marks"));
        String trace = TestTraces.write(dir, "marks/t.csv", "op,ptr,size,label", "alloc,0x10,48,",
                "mark,,,../passwd", "mark,,,\"a\u0000b\"", "free,0x10,,");
        Cli r = Cli.run("verify", trace, "-p", "3.12");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("marks: 0 of 0 identical (2 marks have no statistics file)"), r.out());
        // A statistics file that is not text is no CPython output: a divergence, not "Input length = 1" (exit 4).
        Files.write(dir.resolve("marks/m.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
        String one = TestTraces.write(dir, "marks/one.csv", "op,ptr,size,label", "mark,,,m");
        Cli binary = Cli.run("verify", one, "-p", "3.12");
        assertEquals(ExitCode.DIVERGENCE, binary.exit(), binary.err());
        assertTrue(binary.out().contains("marks: 0 of 1 identical"), binary.out());
    }

    /**
     * Item 7's kin in record: the finished trace was renamed over the output whatever it was, so that
     * {@code record -o /dev/null}, run as root, replaced the device with a file. (A FIFO here stands in for it.)
     */
    @Test
    void recordNeverRenamesATraceOverAnOutputThatIsNoRegularFile() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python) && Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "cc"))), "no /usr/bin/python3 or cc");
        Path fifo = mkfifo(dir.resolve("out.csv"));
        Cli r = Cli.run("record", "-o", fifo.toString(), "--", python.toString(), "-c", "pass");
        assertEquals(ExitCode.IO, r.exit(), r.err());
        assertEquals("pyalloc record: " + fifo + " is not a regular file (a device, a FIFO or a socket); give a trace"
                + " file name such as app.csv.gz\n", r.err());
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "still the FIFO");
        assertEquals(List.of("out.csv"), ReportDirs.names(dir));
    }

    // ---------------------------------------------------------------- the same inputs on compare, convert, binary

    /** compare and --emit csv write standard output too: a failed write is exit 4 (LauncherTest: on /dev/full). */
    @Test
    void compareAndEmitCsvOnAFullStandardOutputAreIoErrors() {
        String trace = TestTraces.real("3.12", "startup").toString();
        Cli compare = runWithFullStdout("compare", trace, "-p", "3.12,3.9", "-o", dir.resolve("cmp").toString(),
                "--no-charts");
        assertEquals(ExitCode.IO, compare.exit(), compare.err());
        assertEquals("pyalloc compare: standard output: write failed\n", compare.err());
        Cli csv = runWithFullStdout("replay", trace, "--emit", "csv", "--no-report");
        assertEquals(ExitCode.IO, csv.exit(), csv.err());
    }

    /** compare --samples 2000000000 was an internal error (the bound replay checks, compare did not). */
    @Test
    void compareBoundsSamplesAsReplayDoes() {
        Cli r = Cli.run("compare", TestTraces.real("3.12", "startup").toString(), "--samples", "2000000000", "-o",
                dir.resolve("cmp").toString());
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertEquals("pyalloc compare: --samples must be from 2 to 50000000\n", r.err());
    }

    /** chart drew into any folder a comparison's compare.csv named ({@code ../../x}), not only its own. */
    @Test
    void chartDrawsOnlyIntoTheComparisonsOwnFolders() throws IOException {
        Path cmp = dir.resolve("cmp");
        Cli made = Cli.run("compare", TestTraces.real("3.12", "startup").toString(), "-p", "3.12", "-o",
                cmp.toString(), "-q", "--no-charts");
        assertEquals(ExitCode.OK, made.exit(), made.err());
        Path csv = cmp.resolve("compare.csv");
        Files.writeString(csv, withField(Files.readString(csv), 1, "profile", "../elsewhere"));
        Cli r = Cli.run("chart", cmp.toString());
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        assertEquals("pyalloc chart: " + csv + ":2: profile \"../elsewhere\" names no configuration's folder here\n",
                r.err());
    }

    /** convert renamed its output over whatever had the name: a device or a FIFO, as record did. */
    @Test
    void convertNeverRenamesATraceOverAnOutputThatIsNoRegularFile() throws Exception {
        Path fifo = mkfifo(dir.resolve("out.pyat"));
        Cli r = Cli.run("convert", TestTraces.real("3.12", "startup").toString(), fifo.toString());
        assertEquals(ExitCode.IO, r.exit(), r.err());
        assertEquals("pyalloc convert: " + fifo + " is not a regular file (a device, a FIFO or a socket); give a"
                + " trace file name, or - for standard output\n", r.err());
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "still the FIFO");
        assertEquals(List.of("out.pyat"), ReportDirs.names(dir));
    }

    /**
     * A binary trace that ends between two records (its end record missing: cut there, or a recording stopped by
     * os._exit) replays what it holds, exit 0: with -q that was said nowhere. It is said on standard error always.
     */
    @Test
    void aBinaryTraceWithoutItsEndIsNeverSilent() throws IOException {
        Path pyat = dir.resolve("t.pyat");
        assertEquals(ExitCode.OK, Cli.run("convert", TestTraces.real("3.12", "startup").toString(), pyat.toString(),
                "-q").exit());
        byte[] b = Files.readAllBytes(pyat);
        Path cut = dir.resolve("cut.pyat");
        Files.write(cut, Arrays.copyOf(b, b.length - 9));  // the end record: kind, length, checksum, no payload
        for (String[] args : new String[][] {{"replay", cut.toString(), "--no-report", "-q"},
            {"verify", cut.toString()}, {"convert", cut.toString(), dir.resolve("c.csv").toString(), "-q"},
            {"compare", cut.toString(), "-p", "3.12", "-o", dir.resolve("cmp").toString(), "-q", "--no-charts"}}) {
            Cli r = Cli.run(args);
            assertTrue(r.exit() == ExitCode.OK || r.exit() == ExitCode.DIVERGENCE, args[0] + ": " + r.err());
            assertTrue(r.err().contains(cut + ": byte " + (b.length - 9) + ": the trace ends without its end record"),
                    args[0] + ": " + r.err());
        }
    }
}
