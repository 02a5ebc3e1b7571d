package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.TestTraces;
import pyalloc.report.csv.SummaryCsv;

/**
 * Many runs, one table: several traces in one replay, summary rows on standard output, and trace and profile
 * columns in every CSV file, so that the files of many runs concatenate ({@code tail -n +2}) into one.
 */
final class BatchTest {
    @TempDir
    Path dir;

    private static final Path STARTUP = TestTraces.real("3.9", "startup");
    private static final Path RULES = TestTraces.real("3.11", "rules");

    @Test
    void severalTracesInOneRunWriteOneReportEachAndOneCsvRowEach() throws IOException {
        Path copy = dir.resolve("startup-3.9.csv.gz");
        Files.copy(STARTUP, copy);
        Path out = dir.resolve("runs");
        Cli r = Cli.run("replay", copy.toString(), RULES.toString(), "--profile", "3.12", "-o", out.toString(),
                "--no-charts", "--emit", "csv");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), "the header once, then one row per trace: " + r.out());
        assertEquals(String.join(",", SummaryCsv.COLUMNS.stream().map(c -> c.header()).toList()), lines.get(0));
        // -o with several traces is the parent folder: DIR/<trace name> each.
        assertEquals(lines.get(1), Files.readAllLines(out.resolve("startup-3.9/summary.csv")).get(1));
        assertEquals(lines.get(2), Files.readAllLines(out.resolve("trace/summary.csv")).get(1));
        assertTrue(lines.get(1).startsWith(copy + ",cpython-3.12,"), lines.get(1));
        assertTrue(lines.get(2).startsWith(RULES + ",cpython-3.12,"), lines.get(2));
    }

    @Test
    void everyCsvFileNamesItsTraceAndProfileInEveryRow() throws IOException {
        Path out = dir.resolve("r");
        Cli r = Cli.run("replay", RULES.toString(), "--arena-policy", "least-used-first", "-o", out.toString(),
                "--no-charts", "-q", "--samples", "50");
        assertEquals(0, r.exit(), r.err());
        String profile = "cpython-3.11+arenas-least-used-first";
        for (String f : List.of("summary.csv", "marks.csv", "classes.csv", "arenas.csv", "timeline.csv")) {
            List<CSVRecord> rows = CompareTest.records(out.resolve(f));
            assertFalse(rows.isEmpty(), f);
            for (CSVRecord row : rows) {
                assertEquals(RULES.toString(), row.get("trace"), f);
                assertEquals(profile, row.get("profile"), f);
            }
            assertTrue(Files.readAllLines(out.resolve(f)).get(0).startsWith("trace,profile,"), f);
        }
    }

    @Test
    void twoTracesOfOneNameWouldShareAReportAndAreRefusedBeforeAnyRun() throws IOException {
        Path a = Files.createDirectories(dir.resolve("a")).resolve("trace.csv.gz");
        Files.copy(STARTUP, a);
        Path out = dir.resolve("out");
        Cli r = Cli.run("replay", a.toString(), RULES.toString(), "-o", out.toString());
        assertEquals(ExitCode.USAGE, r.exit());
        assertEquals("pyalloc replay: traces " + a + " and " + RULES + " would both write the report "
                + out.resolve("trace") + " (give them different names)\n", r.err());
        assertFalse(Files.exists(out));
        assertEquals(ExitCode.USAGE, Cli.run("replay", "-", "-", "--no-report").exit(), "standard input only once");
    }

    @Test
    void aFailingTraceStopsTheRunAndKeepsTheReportsBeforeIt() {
        String bad = TestTraces.write(dir, "bad.csv", "op,ptr,size", "alloc,0x10,4k");
        Path out = dir.resolve("out");
        Cli r = Cli.run("replay", RULES.toString(), bad, "-o", out.toString(), "--no-charts", "-q");
        assertEquals(ExitCode.BAD_TRACE, r.exit());
        assertEquals("pyalloc replay: " + bad + ":2: size \"4k\" is not a non-negative integer\n", r.err());
        assertTrue(Files.exists(out.resolve("trace/summary.csv")), "the first trace's report is complete");
        assertFalse(Files.exists(out.resolve("bad")));
    }

    /**
     * bpo-37257's loop as a hand-made trace, under 3.9 (4 KiB pools of seven 512-byte blocks, 64 pools an arena):
     * 448 blocks fill arena A, then ten times one block opens arena B and is freed again.
     */
    @Test
    void releasePoliciesThroughReplayAndCompareOnTheThrashingLoop() throws IOException {
        StringBuilder t = new StringBuilder("op,ptr,size\n");
        for (int i = 0; i < 448; i++) {
            t.append("alloc,a").append(i).append(",512\n");
        }
        for (int i = 0; i < 10; i++) {
            t.append("alloc,b,512\nfree,b\n");
        }
        Path trace = dir.resolve("thrash.csv");
        Files.writeString(trace, t);
        Path out = dir.resolve("c");
        Cli c = Cli.run("compare", trace.toString(), "--profile", "3.9", "--release-policy", "cpython,all,keep-2",
                "-o", out.toString(), "--no-charts", "--emit", "csv");
        assertEquals(0, c.exit(), c.err());
        List<CSVRecord> rows = CompareTest.records(out.resolve("compare.csv"));
        // cpython (3.9: keep-last): B is the last of usable_arenas when it empties, kept: 2 arenas mapped, 0 given back.
        // all: B is unmapped after each of the 10 iterations and mapped again: 1 + 10 mapped, 10 given back.
        // keep-2: like keep-last here, B is the only empty arena: 2 mapped.
        assertEquals(List.of("cpython-3.9", "cpython-3.9+release-all", "cpython-3.9+release-keep-2"),
                rows.stream().map(r -> r.get("profile")).toList());
        assertEquals(List.of("2", "11", "2"), rows.stream().map(r -> r.get("arenas_allocated_total")).toList());
        assertEquals(List.of("0", "10", "0"), rows.stream().map(r -> r.get("arenas_reclaimed")).toList());
        assertEquals(List.of("2", "1", "2"), rows.stream().map(r -> r.get("arenas")).toList());
        Cli r = Cli.run("replay", trace.toString(), "--profile", "3.9", "--release-policy", "all", "--no-report",
                "--emit", "csv");
        assertEquals(0, r.exit(), r.err());
        CSVRecord alone = CompareTest.records(writeTo(dir.resolve("alone.csv"), r.out())).get(0);
        assertEquals("cpython-3.9+release-all", alone.get("profile"));
        assertEquals("11", alone.get("arenas_allocated_total"));
    }

    private static Path writeTo(Path file, String text) throws IOException {
        Files.writeString(file, text);
        return file;
    }

    @Test
    void verifyProvesCPythonsRulesOnlyAndTakesNoPolicy() {
        Cli r = Cli.run("verify", RULES.toString(), "--arena-policy", "address-ordered");
        assertEquals(ExitCode.USAGE, r.exit());
        assertTrue(r.err().startsWith("pyalloc verify: Unknown options: '--arena-policy', 'address-ordered'"),
                r.err());
    }
}
