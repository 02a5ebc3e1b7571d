package pyalloc.report.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.cli.Cli;

/**
 * arenas-over-time.csv and classes-over-time.csv stay bounded whatever the trace (moments, rows of slots), and
 * add up, moment by moment, to what timeline.csv says at the same event, which is computed apart (the
 * allocator's running totals, not a walk over arenas or classes). And the heap's layers in timeline.csv sum up.
 */
final class OverTimeCsvTest {
    @TempDir
    Path dir;

    static List<CSVRecord> rows(Path csv) throws IOException {
        try (Reader r = Files.newBufferedReader(csv);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }

    /** Groups rows by their event column, in order. */
    static Map<String, List<CSVRecord>> byEvent(List<CSVRecord> rows) {
        Map<String, List<CSVRecord>> m = new LinkedHashMap<>();
        for (CSVRecord r : rows) {
            m.computeIfAbsent(r.get("event"), k -> new ArrayList<>()).add(r);
        }
        return m;
    }

    static long sum(List<CSVRecord> rows, String column) {
        return rows.stream().mapToLong(r -> Long.parseLong(r.get(column))).sum();
    }

    /**
     * A made-up trace that maps about 300 arenas (16 KiB arenas of four 4 KiB pools, 28 blocks of 512 bytes
     * each), then frees most blocks in random order; with requests pymalloc passes to malloc (0 and 1000 bytes)
     * and RAW-domain rows. More arenas than rows: slots are grouped by four.
     */
    @Test
    void manyArenasAreGroupedAndEveryMomentAddsUpToTheTimeline() throws IOException {
        List<String> t = new ArrayList<>(List.of("op,ptr,size,domain"));
        int blocks = 300 * 28;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            t.add("alloc,p" + i + ",512,obj");
            order.add(i);
            if (i % 100 == 0) {
                t.add("alloc,big" + i + ",1000,mem");
                t.add("alloc,zero" + i + ",0,obj");
                t.add("alloc,raw" + i + ",100,raw");
            }
        }
        java.util.Collections.shuffle(order, new Random(1));
        for (int i : order.subList(0, blocks * 9 / 10)) {
            t.add("free,p" + i + ",,obj");
        }
        for (int i = 0; i < blocks; i += 200) {
            t.add("free,big" + i + ",,mem");
            t.add("free,raw" + i + ",,raw");
        }
        Path trace = dir.resolve("many.csv");
        Files.write(trace, t);
        Path out = dir.resolve("many");
        Cli r = Cli.run("replay", trace.toString(), "--profile", "cpython-3.12", "--arena-size", "16K",
                "--pool-size", "4K", "-o", out.toString(), "--samples", "200", "-q", "--no-charts");
        assertEquals(0, r.exit(), r.err());

        Map<String, CSVRecord> timeline = new LinkedHashMap<>();
        for (CSVRecord row : rows(out.resolve(TimelineCsv.FILE))) {
            timeline.put(row.get("event"), row);
        }
        Map<String, List<CSVRecord>> arenas = byEvent(rows(out.resolve(ArenasOverTimeCsv.FILE)));
        assertTrue(arenas.size() >= ArenasOverTimeCsv.MOMENTS / 2 && arenas.size() <= ArenasOverTimeCsv.MOMENTS + 1,
                "moments: " + arenas.size());
        for (Map.Entry<String, List<CSVRecord>> e : arenas.entrySet()) {
            CSVRecord at = timeline.get(e.getKey());
            assertTrue(at != null, "every moment is a timeline sample: " + e.getKey());
            assertTrue(e.getValue().size() <= ArenasOverTimeCsv.ROWS);
            assertEquals(Long.parseLong(at.get("arenas")), sum(e.getValue(), "arenas"), "arenas at " + e.getKey());
            assertEquals(Long.parseLong(at.get("allocated_bytes")), sum(e.getValue(), "live_block_bytes"),
                    "B at " + e.getKey());
            assertEquals(Long.parseLong(at.get("pinned_arenas")), sum(e.getValue(), "pinned_arenas"));
        }
        List<CSVRecord> last = arenas.get(timeline.keySet().stream().reduce((a, b) -> b).orElseThrow());
        assertEquals("4", last.get(0).get("slots"), "about 300 slots in rows of four");

        for (CSVRecord row : timeline.values()) {
            long arenaBytes = Long.parseLong(row.get("arena_bytes"));
            long layers = 0;
            for (String c : List.of("requested_bytes", "internal_frag_bytes", "available_bytes",
                    "unused_pool_bytes", "overhead_bytes")) {
                layers += Long.parseLong(row.get(c));
            }
            assertEquals(arenaBytes, layers, "pymalloc's layers add up to M");
            assertEquals(Long.parseLong(row.get("heap_bytes")), layers + Long.parseLong(row.get("raw_bytes"))
                    + Long.parseLong(row.get("raw_domain_bytes")), "all layers add up to the heap");
        }
        // At the end, counted by hand: 84 1000-byte and 84 zero-byte requests made, 42 of the 1000-byte freed;
        // 84 RAW-domain rows of 100 bytes, 42 freed.
        CSVRecord end = rows(out.resolve("summary.csv")).get(0);
        assertEquals("126", end.get("raw_blocks"));
        assertEquals("42000", end.get("raw_bytes"));
        assertEquals("42", end.get("raw_domain_blocks"));
        assertEquals("4200", end.get("raw_domain_bytes"));
        assertEquals(Long.parseLong(end.get("arena_bytes")) + 42000 + 4200, Long.parseLong(end.get("heap_bytes")));
    }

    @Test
    void classesOverTimeAddUpToTheTimelineOnARealTrace() throws IOException {
        Path out = dir.resolve("rules");
        Cli r = Cli.run("replay", "traces/rules-3.8.pyat", "-o", out.toString(), "--no-charts", "-q");
        assertEquals(0, r.exit(), r.err());
        Map<String, CSVRecord> timeline = new LinkedHashMap<>();
        for (CSVRecord row : rows(out.resolve(TimelineCsv.FILE))) {
            timeline.put(row.get("event"), row);
        }
        Map<String, List<CSVRecord>> classes = byEvent(rows(out.resolve(ClassesOverTimeCsv.FILE)));
        assertTrue(classes.size() >= ArenasOverTimeCsv.MOMENTS / 2 && classes.size() <= ArenasOverTimeCsv.MOMENTS + 1,
                "moments: " + classes.size());
        for (Map.Entry<String, List<CSVRecord>> e : classes.entrySet()) {
            CSVRecord at = timeline.get(e.getKey());
            assertTrue(at != null, "every moment is a timeline sample: " + e.getKey());
            long b = e.getValue().stream().mapToLong(c -> Long.parseLong(c.get("blocks_in_use"))
                    * Long.parseLong(c.get("block_size_bytes"))).sum();
            assertEquals(Long.parseLong(at.get("allocated_bytes")), b, "B at " + e.getKey());
            assertEquals(Long.parseLong(at.get("available_bytes")), sum(e.getValue(), "avail_bytes"),
                    "F at " + e.getKey());
            assertEquals(Long.parseLong(at.get("used_pools")), sum(e.getValue(), "pools"));
        }
    }
}
