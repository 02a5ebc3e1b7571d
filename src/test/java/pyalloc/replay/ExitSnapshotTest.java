package pyalloc.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.cli.Cli;
import pyalloc.cli.ExitCode;
import pyalloc.report.chart.ChartedSnapshot;

/**
 * The recorder's {@code exit} mark, on the shipped cache trace: the program's last statement after the
 * {@code refilled} mark is a print, then the interpreter shuts down. With an {@code exit} mark placed there, the
 * headline numbers describe the program at it, and equal those of the same trace cut at that point (so none of
 * the shutdown after it leaks in); the charts show it by default.
 */
final class ExitSnapshotTest {
    @TempDir
    static Path dir;
    static Path withExit;
    static Path cut;
    static String summaryText;

    @BeforeAll
    static void replay() throws IOException {
        List<String> lines = new ArrayList<>(PeakSnapshotTest.lines(Path.of("traces/cache-3.12.pyat")));
        // The sample has the recorder's own exit mark, a few rows after refilled: this test places its own.
        lines.removeIf(l -> l.startsWith("mark,") && l.endsWith(",exit"));
        int refilled = indexOf(lines, ",refilled");
        String ns = lines.get(refilled).split(",")[5];
        List<String> exit = new ArrayList<>(lines);
        exit.add(refilled + 1, "mark,,,,," + ns + ",exit");
        Files.write(dir.resolve("with-exit.csv"), exit);
        Files.write(dir.resolve("cut.csv"), lines.subList(0, refilled + 1));
        withExit = dir.resolve("with-exit");
        cut = dir.resolve("cut");
        Cli r = Cli.run("replay", dir.resolve("with-exit.csv").toString(), "-o", withExit.toString(), "--no-charts");
        assertEquals(0, r.exit(), r.err());
        summaryText = r.out();
        Cli c = Cli.run("replay", dir.resolve("cut.csv").toString(), "-o", cut.toString(), "--no-charts", "-q");
        assertEquals(0, c.exit(), c.err());
    }

    private static int indexOf(List<String> lines, String suffix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("mark,") && lines.get(i).endsWith(suffix)) {
                return i;
            }
        }
        throw new AssertionError(suffix);
    }

    @Test
    void summaryDescribesTheProgramAtExitAndSaysSo() throws IOException {
        CSVRecord s = PeakSnapshotTest.rows(withExit.resolve("summary.csv")).get(0);
        CSVRecord exit = PeakSnapshotTest.only(PeakSnapshotTest.rows(withExit.resolve("marks.csv")), "exit");
        CSVRecord end = PeakSnapshotTest.only(PeakSnapshotTest.rows(withExit.resolve("marks.csv")), "end");
        assertEquals("exit", s.get("snapshot"));
        for (String column : List.of("arenas", "requested_bytes", "arena_bytes", "util_pct", "frag_ratio",
                "ideal_arenas", "mesh_pools", "pinned_arenas", "raw_blocks", "raw_bytes", "heap_bytes",
                "arenas_highwater", "arenas_allocated_total", "arenas_reclaimed")) {
            assertEquals(exit.get(column), s.get(column), column);
        }
        // the shutdown after it frees nearly everything: the end is another state altogether
        assertNotEquals(end.get("requested_bytes"), s.get("requested_bytes"));
        assertTrue(summaryText.contains("described at its exit mark (line "), summaryText);
        assertTrue(summaryText.contains("at exit 4 (4 would do if packed"), summaryText);
    }

    @Test
    void peaksAndJohnstoneWilsonStopAtExit() throws IOException {
        CSVRecord full = PeakSnapshotTest.rows(withExit.resolve("summary.csv")).get(0);
        CSVRecord upToExit = PeakSnapshotTest.rows(cut.resolve("summary.csv")).get(0);
        assertEquals("end", upToExit.get("snapshot"));
        for (String column : List.of("allocated_total_bytes", "peak_requested_bytes", "peak_requested_at",
                "peak_arena_bytes", "peak_arena_bytes_at", "jw1_mean_frag", "jw2_frag_at_peak_requested",
                "jw3_frag_at_peak_arena", "jw4_peak_frag", "requested_bytes", "arena_bytes", "mesh_pools")) {
            assertEquals(upToExit.get(column), full.get(column), column);
        }
        CSVRecord peak = PeakSnapshotTest.only(PeakSnapshotTest.rows(withExit.resolve("marks.csv")), "peak");
        CSVRecord cutPeak = PeakSnapshotTest.only(PeakSnapshotTest.rows(cut.resolve("marks.csv")), "peak");
        // Every column but the trace's name (the cut trace is another file).
        assertEquals(cutPeak.toList().subList(1, cutPeak.size()), peak.toList().subList(1, peak.size()));
    }

    @Test
    void chartsShowExitByDefaultAndAnyOtherOnRequest() throws IOException {
        ChartedSnapshot at = ChartedSnapshot.choose(withExit, null, true);
        assertEquals("exit", at.label());
        assertTrue(at.phrase().startsWith("at exit ("), at.phrase());
        assertEquals("peak", ChartedSnapshot.choose(cut, null, true).label(), "no exit mark: the peak");
        assertEquals("full", ChartedSnapshot.choose(withExit, "full", true).label());

        assertEquals(0, Cli.run("chart", withExit.toString(), "--snapshot", "end").exit());
        Cli unknown = Cli.run("chart", withExit.toString(), "--snapshot", "nosuch");
        assertEquals(ExitCode.USAGE, unknown.exit());
        assertTrue(unknown.err().contains("no snapshot \"nosuch\" in this report (it has start, full, half-evicted,"
                + " refilled, exit, peak, end)"), unknown.err());
    }

    @Test
    void replayWarnsOfAnUnknownSnapshotAndDrawsTheDefault() {
        Path out = dir.resolve("warned");
        Cli r = Cli.run("replay", dir.resolve("cut.csv").toString(), "-o", out.toString(), "--snapshot", "nosuch",
                "--emit", "none");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("pyalloc replay: warning: --snapshot: no snapshot \"nosuch\" in this trace (it has"
                + " start, full, half-evicted, refilled, peak, end); classes.png and arenas.png show peak"), r.err());
        assertTrue(Files.exists(out.resolve("classes.png")));
    }
}
