package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.TestTraces;

/**
 * The binary trace (format 2) as a user meets it: {@code pyalloc convert} both ways, the same reports and
 * CPython-layout statistics from either form of every real trace, and one clear line (exit 3, with the byte
 * offset) for a binary file that is cut short, corrupt, of another version or no trace at all.
 */
final class BinaryTraceTest {
    @TempDir
    Path dir;

    static Stream<Path> realTraces() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Path.of("src/test/resources/cpython"))) {
            s.filter(p -> p.getFileName().toString().equals("trace.csv.gz")).sorted().forEach(all::add);
        }
        return all.stream();
    }

    private Path convert(Path from, String to) {
        Path out = dir.resolve(to);
        Cli c = Cli.run("convert", "-q", from.toString(), out.toString());
        assertEquals(0, c.exit(), c.err());
        assertEquals("", c.err());
        return out;
    }

    /** Every report file and the --emit debugmallocstats output are the same from the CSV and the binary form. */
    @ParameterizedTest
    @MethodSource("realTraces")
    void binaryFormGivesByteIdenticalReports(Path csv) throws IOException {
        Path binary = convert(csv, "trace.pyat");
        Path a = dir.resolve("from-csv");
        Path b = dir.resolve("from-binary");
        Cli x = Cli.run("replay", csv.toString(), "-o", a.toString(), "--no-charts", "--emit", "debugmallocstats");
        Cli y = Cli.run("replay", binary.toString(), "-o", b.toString(), "--no-charts", "--emit", "debugmallocstats");
        assertEquals(0, x.exit(), x.err());
        assertEquals(0, y.exit(), y.err());
        assertEquals(x.out(), y.out());
        assertEquals(x.err(), y.err());
        assertTrue(x.out().contains("# end\n"), x.out());
        List<String> files;
        try (Stream<Path> s = Files.list(a)) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        try (Stream<Path> s = Files.list(b)) {
            assertEquals(files, s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(files.contains("marks.csv") && files.contains("timeline.csv"), files.toString());
        for (String f : files) {
            byte[] fromCsv = Files.readAllBytes(a.resolve(f));
            byte[] fromBinary = Files.readAllBytes(b.resolve(f));
            if (f.equals("summary.csv")) {
                assertEquals(withoutRunColumns(fromCsv, csv.toString()), withoutRunColumns(fromBinary, binary.toString()));
            } else {  // the trace column names the file replayed
                assertEquals(new String(fromCsv, StandardCharsets.UTF_8).replace(csv.toString(), "TRACE"),
                        new String(fromBinary, StandardCharsets.UTF_8).replace(binary.toString(), "TRACE"), f);
            }
        }
    }

    /** summary.csv names the trace file and times the run: those three columns differ between any two runs. */
    private static String withoutRunColumns(byte[] summary, String trace) {
        String[] lines = new String(summary, StandardCharsets.UTF_8).split("\n");
        List<String> header = Arrays.asList(lines[0].split(","));
        String[] row = lines[1].replace(trace, "TRACE").split(",", -1);
        for (String column : new String[] {"wall_ms", "events_per_s"}) {
            row[header.indexOf(column)] = "";
        }
        return lines[0] + "\n" + String.join(",", row);
    }

    /** The shipped samples are binary; each proves itself against the statistics CPython printed beside it. */
    @ParameterizedTest
    @MethodSource("shippedTraces")
    void verifyProvesAShippedBinaryTraceAgainstTheInterpreter(Path trace) {
        Cli v = Cli.run("verify", trace.toString());
        assertEquals(0, v.exit(), v.out() + v.err());
        assertTrue(v.out().matches("profile: cpython-3\\.\\d+ \\(from the trace header\\)\n"
                + "addresses: (\\d+) of \\1 blocks exact\nmarks: (\\d+) of \\2 identical\n"), v.out());
        assertEquals("", v.err());
    }

    static Stream<Path> shippedTraces() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("traces"))) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".pyat")).sorted().toList();
            assertEquals(5, all.size(), all.toString());
            return all.stream();
        }
    }

    @Test
    void convertBothWaysKeepsARecordedTraceByteForByte() throws IOException {
        Path recorded = TestTraces.real("3.12", "rules");  // as pyalloc record wrote it
        Path binary = convert(recorded, "rules.pyat");
        Path gz = convert(binary, "rules.csv.gz");
        Path plain = convert(binary, "rules.csv");
        Path stored = dir.resolve("stored.pyat");
        assertEquals(0, Cli.run("convert", "-q", "--no-compress", plain.toString(), stored.toString()).exit());
        assertTrue(Files.size(stored) > Files.size(binary));
        Path again = convert(stored, "again.csv");
        byte[] original = TestTraces.gunzip(recorded);
        assertArrayEquals(original, TestTraces.gunzip(gz));
        assertArrayEquals(original, Files.readAllBytes(plain));
        assertArrayEquals(original, Files.readAllBytes(again));
        Cli message = Cli.run("convert", binary.toString(), dir.resolve("x.csv").toString());
        assertTrue(message.err().matches("pyalloc convert: .*rules\\.pyat -> .*x\\.csv \\(CSV, [0-9.]+ MiB\\): "
                + "[0-9,]+ events in [0-9.]+ s\\n"), message.err());
    }

    @Test
    void convertReadsStandardInputAndWritesStandardOutput() throws IOException, InterruptedException {
        String csv = "op,ptr,size,new_ptr,domain,ns,label\nalloc,0x10,8,,obj,1,\nmark,,,,,2,here\nfree,0x10,,,obj,3,\n";
        Path binary = dir.resolve("in.pyat");
        Cli in = Cli.runInChildJvm(dir, csv, "convert", "-q", "-", binary.toString());
        assertEquals(0, in.exit(), in.err());
        Cli out = Cli.runInChildJvm(dir, "", "convert", "-q", binary.toString(), "-");
        assertEquals(0, out.exit(), out.err());
        assertEquals(csv, out.out());
        Path named = dir.resolve("any-name.bin");
        Cli to = Cli.runInChildJvm(dir, csv, "convert", "-q", "-", "--to", "pyat", named.toString());
        assertEquals(0, to.exit(), to.err());
        assertArrayEquals(Files.readAllBytes(binary), Files.readAllBytes(named));
    }

    @Test
    void aFailedConversionLeavesNoFileAndTheOldOneIntact() throws IOException {
        String bad = TestTraces.write(dir, "bad.csv", "op,ptr,size", "alloc,0x10,8", "alocate,0x20,8");
        Path out = dir.resolve("out.pyat");
        Files.writeString(out, "the previous trace");
        Cli r = Cli.run("convert", bad, out.toString());
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        assertTrue(r.err().startsWith("pyalloc convert: " + bad + ":3: unknown op \"alocate\""), r.err());
        assertEquals("the previous trace", Files.readString(out));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("bad.csv", "out.pyat"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Cli name = Cli.run("convert", bad, dir.resolve("out.txt").toString());
        assertEquals(ExitCode.USAGE, name.exit());
        assertTrue(name.err().contains("the name tells no trace format (.pyat, .csv or .csv.gz)"), name.err());
    }

    @Test
    void recordNamesItsTraceAfterTheScriptOrModule() {
        assertEquals("app.pyat", RecordCommand.defaultName(List.of("app.py", "--port", "80")));
        assertEquals("app.pyat", RecordCommand.defaultName(List.of("-X", "importtime", "-u", "src/app.py")));
        assertEquals("json.tool.pyat", RecordCommand.defaultName(List.of("-m", "json.tool", "data.json")));
        assertEquals("http.server.pyat", RecordCommand.defaultName(List.of("-W", "ignore", "-mhttp.server")));
        assertEquals("python.pyat", RecordCommand.defaultName(List.of("-c", "print(1)", "x.py")));
        assertEquals("python.pyat", RecordCommand.defaultName(List.of()));
        assertEquals("python.pyat", RecordCommand.defaultName(List.of("-")));
    }


    private Cli replay(Path trace, String... more) {
        List<String> args = new ArrayList<>(List.of("replay", trace.toString(), "--no-report", "--emit", "none"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void aTraceCutShortInARecordIsExit3WithItsByteOffsetAndLenientReplaysWhatComesBefore() throws IOException {
        byte[] b = Files.readAllBytes(Path.of("traces/cache-3.12.pyat"));
        Path cut = dir.resolve("cut.pyat");
        Files.write(cut, Arrays.copyOf(b, b.length / 2));
        Cli r = replay(cut);
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        assertTrue(r.err().matches("pyalloc replay: .*cut\\.pyat: byte \\d+: the trace is cut short in a record"
                + " \\(\\d+ bytes of it, then the end of the file\\), after \\d+ events; --lenient takes those\\n"),
                r.err());
        Cli lenient = replay(cut, "--lenient");
        assertEquals(0, lenient.exit(), lenient.err());
        assertTrue(lenient.err().contains("warning: " + cut + ": byte "), lenient.err());
        assertTrue(lenient.err().contains("the rest of the trace is left out"), lenient.err());
    }

    @Test
    void aTraceWithoutItsEndRecordReplaysWithAWarning() throws IOException {
        byte[] b = Files.readAllBytes(Path.of("traces/cache-3.12.pyat"));
        Path cut = dir.resolve("noend.pyat");
        Files.write(cut, Arrays.copyOf(b, b.length - 9));  // the end record: kind, length 0, CRC
        Cli r = replay(cut);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().matches("pyalloc replay: warning: .*noend\\.pyat: byte \\d+: the trace ends without its"
                + " end record: the recording stopped early \\(os._exit, a signal\\) or the file was cut; replayed its"
                + " \\d+ events\\n"), r.err());
    }

    @Test
    void corruptForeignAndNewerFilesAreOneLineExit3() throws IOException {
        byte[] b = Files.readAllBytes(Path.of("traces/rules-3.8.pyat"));
        byte[] flipped = b.clone();
        flipped[b.length / 2] ^= 0x10;
        assertBad(flipped, "fails its checksum: the trace is corrupt");
        byte[] newer = b.clone();
        newer[8] = 3;
        assertBad(newer, "byte 8: format version 3; this pyalloc reads format 2 (a newer pyalloc wrote it)");
        assertBad(Arrays.copyOf(b, 5), "byte 5: the trace is cut short in its preamble (5 of 12 bytes)");
        assertBad(Arrays.copyOf(b, 14), "byte 12: the trace is cut short in a record (2 bytes of it");
        byte[] unknownKind = b.clone();
        unknownKind[12] = '~';
        assertBad(unknownKind, "byte 12: no record starts here (kind byte 0x7e): the trace is corrupt");
        // Another kind of binary file, which starts as a binary trace does.
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        Path f = dir.resolve("image.png");
        Files.write(f, png);
        Cli r = replay(f);
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        assertEquals("pyalloc replay: " + f + ": byte 1: not a .pyat trace: its magic number is wrong (another kind"
                + " of binary file, or a transfer that changed its line ends?)\n", r.err());
        // Nor is one without that first byte (an ELF program, say): read as CSV, which finds no header in it.
        byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0};
        Path g = dir.resolve("program");
        Files.write(g, elf);
        Cli s = replay(g);
        assertEquals(ExitCode.BAD_TRACE, s.exit(), s.err());
        assertEquals(1, s.err().lines().count(), s.err());
    }

    /**
     * A block that passes its checksum but holds an invalid event: named to the event; --lenient skips the rest of
     * the block from it.
     */
    @Test
    void anInvalidEventNamesItsBlockAndEventAndLenientSkipsTheBlock() throws IOException {
        Path stored = dir.resolve("stored.pyat");
        // A trace without call sites: its first record after the header is a block.
        assertEquals(0, Cli.run("convert", "-q", "--no-compress", "src/test/resources/cpython/cpython-3.8/rules/trace.csv.gz",
                stored.toString()).exit());
        byte[] b = Files.readAllBytes(stored);
        int at = 12 + 9 + java.nio.ByteBuffer.wrap(b, 13, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        assertEquals('B', b[at]);
        int length = java.nio.ByteBuffer.wrap(b, at + 1, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        // payload: count (3 bytes: 65,536), codec, raw length (3 bytes), 7 stream lengths, then the tags
        int p = at + 5 + 3 + 1;
        while (b[p] < 0) {
            p++;
        }
        p++;
        for (int k = 0; k < 7; k++) {
            while (b[p] < 0) {
                p++;
            }
            p++;
        }
        b[p + 9] = 0x07;  // the tenth event's tag: op 7
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b, at, 5 + length);
        java.nio.ByteBuffer.wrap(b, at + 5 + length, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt((int) crc.getValue());
        Path bad = dir.resolve("bad-event.pyat");
        Files.write(bad, b);
        Cli r = replay(bad);
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        assertEquals("pyalloc replay: " + bad + ": byte " + at + ": block 1, event 10: tag 0x07: op 7 is unknown\n",
                r.err());
        Path out = dir.resolve("lenient");
        Cli lenient = Cli.run("replay", bad.toString(), "--lenient", "-o", out.toString(), "--no-charts", "-q");
        assertEquals(0, lenient.exit(), lenient.err());
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        int column = Arrays.asList(summary.get(0).split(",")).indexOf("skipped_rows");
        assertEquals("65527", summary.get(1).split(",", -1)[column], "the block from its bad event on");
    }

    private void assertBad(byte[] trace, String message) throws IOException {
        Path f = dir.resolve("bad.pyat");
        Files.write(f, trace);
        Cli r = replay(f);
        assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
        assertTrue(r.err().startsWith("pyalloc replay: " + f + ": byte "), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(Files.exists(dir.resolve("reports")));
    }
}
