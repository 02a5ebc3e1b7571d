package pyalloc.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.TestTraces;
import pyalloc.cli.Cli;
import pyalloc.report.csv.ArenasOverTimeCsv;
import pyalloc.report.csv.ClassesOverTimeCsv;
import pyalloc.report.csv.Column;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.report.csv.SummaryCsv;
import pyalloc.report.csv.TimelineCsv;
import pyalloc.stats.Timeline.Field;
import pyalloc.stats.Timeline;

/**
 * The report of a real trace (dictchurn on 3.12), checked by content: headers, and numbers against CPython's
 * own statistics at the same marks; and timeline.csv written from a Timeline of known values.
 */
final class ReportTest {
    @TempDir
    static Path dir;
    static Path report;
    static Path trace = TestTraces.real("3.12", "dictchurn");
    static final List<String> PNGS = List.of("footprint.png", "classes.png", "arenas.png", "arenas-over-time.png",
            "classes-over-time.png");

    @BeforeAll
    static void replay() {
        report = dir.resolve("report");
        Cli r = Cli.run("replay", trace.toString(), "-o", report.toString(), "--profile", "cpython-3.12",
                "--samples", "200");
        assertEquals(0, r.exit(), r.err());
    }

    static List<CSVRecord> rows(String file) throws IOException {
        try (Reader r = Files.newBufferedReader(report.resolve(file));
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }

    static void assertHeader(String file, List<Column> columns) throws IOException {
        String header = Files.readAllLines(report.resolve(file)).get(0);
        assertEquals(columns.stream().map(Column::header).collect(Collectors.joining(",")), header, file);
    }

    @Test
    void everyFileHasItsDocumentedHeader() throws IOException {
        assertHeader("summary.csv", SummaryCsv.COLUMNS);
        assertHeader("anomalies.csv", SummaryCsv.ANOMALY_COLUMNS);
        assertHeader("marks.csv", SnapshotCsv.MARK_COLUMNS);
        assertHeader("classes.csv", SnapshotCsv.CLASS_COLUMNS);
        assertHeader("arenas.csv", SnapshotCsv.ARENA_COLUMNS);
        assertHeader("timeline.csv", TimelineCsv.COLUMNS);
        assertHeader("arenas-over-time.csv", ArenasOverTimeCsv.COLUMNS);
        assertHeader("classes-over-time.csv", ClassesOverTimeCsv.COLUMNS);
    }

    /** Returns CPython's value for a statistics line such as "# bytes in allocated blocks". */
    static long cpython(String snap, String label) throws IOException {
        String text = Files.readString(trace.resolveSibling(snap + ".txt"));
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + ".*=\\s+([\\d,]+)$").matcher(text);
        assertTrue(m.find(), label);
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    @Test
    void marksCarryCPythonsOwnNumbersAtEachMark() throws IOException {
        List<CSVRecord> marks = rows("marks.csv");
        assertEquals(List.of("snap1", "snap2", "snap3", "peak", "end"), marks.stream().map(r -> r.get("snapshot")).toList());
        for (CSVRecord m : marks.subList(0, 3)) {
            String snap = m.get("snapshot");
            assertEquals(cpython(snap, "# bytes in allocated blocks"), Long.parseLong(m.get("allocated_bytes")), snap);
            assertEquals(cpython(snap, "# bytes in available blocks"), Long.parseLong(m.get("available_bytes")), snap);
            assertEquals(cpython(snap, "# bytes lost to pool headers"), Long.parseLong(m.get("pool_header_bytes")));
            assertEquals(cpython(snap, "# bytes lost to quantization"), Long.parseLong(m.get("quantization_bytes")));
            assertEquals(cpython(snap, "# bytes lost to arena alignment"), Long.parseLong(m.get("alignment_bytes")));
            assertEquals(cpython(snap, "# arenas allocated current"), Long.parseLong(m.get("arenas")));
            assertEquals(cpython(snap, "# arenas highwater mark"), Long.parseLong(m.get("arenas_highwater")));
            long m_ = Long.parseLong(m.get("arena_bytes"));
            long parts = Long.parseLong(m.get("requested_bytes")) + Long.parseLong(m.get("internal_frag_bytes"))
                    + Long.parseLong(m.get("available_bytes")) + Long.parseLong(m.get("unused_pool_bytes"))
                    + Long.parseLong(m.get("pool_header_bytes")) + Long.parseLong(m.get("quantization_bytes"))
                    + Long.parseLong(m.get("alignment_bytes"));
            assertEquals(m_, parts, "M = L + Iq + F + E + Hd + Q + A");
        }
    }

    @Test
    void classRowsMatchCPythonsClassTable() throws IOException {
        String text = Files.readString(trace.resolveSibling("snap2.txt"));
        Matcher m = Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$").matcher(text);
        Map<String, CSVRecord> byClass = rows("classes.csv").stream().filter(r -> r.get("snapshot").equals("snap2"))
                .collect(Collectors.toMap(r -> r.get("class"), r -> r));
        int n = 0;
        while (m.find()) {
            CSVRecord r = byClass.get(m.group(1));
            assertEquals(m.group(2), r.get("block_size_bytes"));
            assertEquals(m.group(3), r.get("pools"));
            assertEquals(m.group(4), r.get("blocks_in_use"));
            assertEquals(m.group(5), r.get("avail_blocks"));
            n++;
        }
        assertTrue(n > 20);
    }

    @Test
    void arenaRowsAddUpToTheMarkTotals() throws IOException {
        CSVRecord snap3 = rows("marks.csv").get(2);
        List<CSVRecord> arenas = rows("arenas.csv").stream().filter(r -> r.get("snapshot").equals("snap3")).toList();
        assertEquals(Long.parseLong(snap3.get("arenas")), arenas.size());
        assertEquals(Long.parseLong(snap3.get("allocated_bytes")),
                arenas.stream().mapToLong(r -> Long.parseLong(r.get("live_block_bytes"))).sum());
        assertEquals(Long.parseLong(snap3.get("unused_pools")), arenas.stream().mapToLong(r ->
                Long.parseLong(r.get("empty_pools")) + Long.parseLong(r.get("never_carved_pools"))).sum());
    }

    @Test
    void timelineHasEvenlySpacedSamplesWithinBoundsAndEndsAtTheEnd() throws IOException {
        List<CSVRecord> t = rows("timeline.csv");
        assertTrue(t.size() >= 200 && t.size() <= 401, "between N and 2N (+ the final state): " + t.size());
        long stride = Long.parseLong(t.get(1).get("event")) - Long.parseLong(t.get(0).get("event"));
        for (int i = 1; i < t.size() - 1; i++) {
            assertEquals(stride, Long.parseLong(t.get(i).get("event")) - Long.parseLong(t.get(i - 1).get("event")));
        }
        CSVRecord summary = rows("summary.csv").get(0);
        assertEquals(summary.get("events"), t.get(t.size() - 1).get("event"));
        for (CSVRecord r : t) {
            long m = Long.parseLong(r.get("arena_bytes"));
            assertEquals(Long.parseLong(r.get("used_pools")) * 16384, Long.parseLong(r.get("pool_bytes")));
            assertEquals(m, Long.parseLong(r.get("requested_bytes")) + Long.parseLong(r.get("internal_frag_bytes"))
                    + Long.parseLong(r.get("available_bytes")) + Long.parseLong(r.get("unused_pool_bytes"))
                    + Long.parseLong(r.get("overhead_bytes")), "M = L + Iq + F + E + (Hd + Q + A)");
        }
    }

    @Test
    void summaryRowHasTheRunsNumbers() throws IOException {
        CSVRecord s = rows("summary.csv").get(0);
        assertEquals("cpython-3.12", s.get("profile"));
        assertEquals("216692", s.get("events"));
        assertEquals("3", s.get("marks"));
        assertEquals("4", s.get("arenas_allocated_total"),
                "four 1 MiB arena_alloc rows; the fifth row, 16 KiB, is a frame data-stack chunk, not an arena");
        assertEquals("1", s.get("arenas_reclaimed"));
        double jw4 = Double.parseDouble(s.get("jw4_peak_frag"));
        double expected = Double.parseDouble(s.get("peak_arena_bytes")) / Double.parseDouble(s.get("peak_requested_bytes")) - 1;
        assertEquals(expected, jw4, 1e-4);
    }

    @Test
    void chartsArePngsOfTheStyleSize() throws IOException {
        for (String png : PNGS) {
            BufferedImage img = ImageIO.read(report.resolve(png).toFile());
            assertEquals(1200, img.getWidth(), png);
            assertEquals(800, img.getHeight(), png);
        }
    }

    @Test
    void chartRedrawsAReportFromItsCsvFilesAlone() throws IOException {
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        for (String f : List.of("timeline.csv", "marks.csv", "classes.csv", "arenas.csv", "arenas-over-time.csv",
                "classes-over-time.csv")) {
            Files.copy(report.resolve(f), copy.resolve(f));
        }
        Cli r = Cli.run("chart", copy.toString());
        assertEquals(0, r.exit(), r.err());
        for (String png : List.of("footprint.png", "classes.png", "arenas.png")) {
            BufferedImage img = ImageIO.read(copy.resolve(png).toFile());
            assertEquals(1200, img.getWidth(), png);
        }
    }

    /**
     * A Timeline of known values written to timeline.csv and read back: the exact text, with the ratios worked out
     * by hand (3.12 sizes: one 1 MiB arena, 16 KiB pools), then each row's numbers equal to the Timeline's.
     */
    @Test
    void timelineCsvHoldsAKnownTimelineRowForRow() throws IOException {
        Timeline t = new Timeline(10);
        // event, ns, L, B, F, E, Hd+Q+A, pool bytes, M, T, used pools, arenas, ideal, pinned, peak L, peak M,
        // raw bytes, RAW-domain bytes, bytes allocated so far
        t.add(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        // One pool holds 1,200 bytes of blocks for 1,000 requested: F = 16384 - 48 - 1200, E = 62 pools, A = one pool;
        // beside them a 600-byte request pymalloc passed to malloc and 64 RAW-domain bytes.
        t.add(1000, 52_000, 1000, 1200, 15_136, 62 * 16384, 48 + 16384, 16384, 1 << 20, 16384, 1, 1, 1, 1,
                1000, 1 << 20, 600, 64, 1600);
        // Everything but the RAW-domain block freed; 3.12 keeps the empty arena: L = 0, so frag is undefined, and the
        // peaks stay.
        t.addFinal(2000, 99_000, 0, 0, 0, 63 * 16384, 16384, 0, 1 << 20, 16384, 0, 1, 0, 0, 1000, 1 << 20, 0, 64, 1600);
        Path file = dir.resolve("known-timeline.csv");
        TimelineCsv.write(file, t, "t.csv", "cpython-3.12");
        assertEquals(List.of(
                TimelineCsv.COLUMNS.stream().map(Column::header).collect(Collectors.joining(",")),
                "t.csv,cpython-3.12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,",
                // util = 100 × 1000 / 1048576 = 0.09537; frag = 1048576 / 1000 - 1 = 1047.576;
                // heap = 1048576 + 600 + 64 = 1049240
                "t.csv,cpython-3.12,1000,52000,1600,1000,200,1200,15136,1015808,16432,16384,1048576,16384,600,64,"
                        + "1049240,1,1,1,1,0.0954,1047.5760,1047.5760",
                "t.csv,cpython-3.12,2000,99000,1600,0,0,0,0,1032192,16384,0,1048576,16384,0,64,1048640,0,1,0,0,"
                        + "0.0000,,1047.5760"),
                Files.readAllLines(file));

        List<CSVRecord> back;
        try (Reader r = Files.newBufferedReader(file);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            back = p.getRecords();
        }
        assertEquals(t.size(), back.size());
        for (int i = 0; i < t.size(); i++) {
            CSVRecord row = back.get(i);
            assertEquals(t.get(i, Field.EVENT), Long.parseLong(row.get("event")));
            assertEquals(t.get(i, Field.NS), Long.parseLong(row.get("ns")));
            assertEquals(t.get(i, Field.REQUESTED), Long.parseLong(row.get("requested_bytes")));
            assertEquals(t.get(i, Field.ALLOCATED), Long.parseLong(row.get("allocated_bytes")));
            assertEquals(t.get(i, Field.ALLOCATED) - t.get(i, Field.REQUESTED),
                    Long.parseLong(row.get("internal_frag_bytes")));
            assertEquals(t.get(i, Field.AVAILABLE), Long.parseLong(row.get("available_bytes")));
            assertEquals(t.get(i, Field.UNUSED_POOLS), Long.parseLong(row.get("unused_pool_bytes")));
            assertEquals(t.get(i, Field.OVERHEAD), Long.parseLong(row.get("overhead_bytes")));
            assertEquals(t.get(i, Field.POOL_BYTES), Long.parseLong(row.get("pool_bytes")));
            assertEquals(t.get(i, Field.ARENA_BYTES), Long.parseLong(row.get("arena_bytes")));
            assertEquals(t.get(i, Field.TOUCHED), Long.parseLong(row.get("touched_bytes")));
            assertEquals(t.get(i, Field.USED_POOLS), Long.parseLong(row.get("used_pools")));
            assertEquals(t.get(i, Field.ARENAS), Long.parseLong(row.get("arenas")));
            assertEquals(t.get(i, Field.IDEAL_ARENAS), Long.parseLong(row.get("ideal_arenas")));
            assertEquals(t.get(i, Field.PINNED_ARENAS), Long.parseLong(row.get("pinned_arenas")));
            assertEquals(t.get(i, Field.RAW_BYTES), Long.parseLong(row.get("raw_bytes")));
            assertEquals(t.get(i, Field.RAW_DOMAIN_BYTES), Long.parseLong(row.get("raw_domain_bytes")));
            assertEquals(t.get(i, Field.ALLOCATED_TOTAL), Long.parseLong(row.get("allocated_total_bytes")));
        }
    }

    @Test
    void aTraceWithoutTimeLeavesTheNsColumnEmpty() throws IOException {
        Timeline t = new Timeline(10);
        t.add(0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Path file = dir.resolve("no-ns.csv");
        TimelineCsv.write(file, t, "t.csv", "cpython-3.12");
        assertEquals("t.csv,cpython-3.12,0,,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,", Files.readAllLines(file).get(1));
    }
}
