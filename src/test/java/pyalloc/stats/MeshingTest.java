package pyalloc.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.cli.Cli;
import pyalloc.obmalloc.Allocator;
import pyalloc.obmalloc.profile.Profiles;

/**
 * mesh_pools on a hand-made trace whose pools were laid out to be worked out by hand (cpython-3.12: 16 KiB
 * pools, 1,021 blocks of 16 bytes, 510 of 32, 340 of 48 per pool; one arena). Blocks are handed out in order
 * from a fresh pool, so filling pool after pool and then freeing chosen blocks leaves each pool with exactly the
 * live offsets listed below.
 */
final class MeshingTest {
    @TempDir
    Path dir;

    private final List<String> rows = new ArrayList<>(List.of("op,ptr,size,label"));

    /** Fills {@code pools} fresh pools of one class, block by block; pointer {@code tag<pool>_<block>}. */
    private void fill(String tag, int pools, int blocks, int size) {
        for (int p = 0; p < pools; p++) {
            for (int b = 0; b < blocks; b++) {
                rows.add("alloc," + tag + p + "_" + b + "," + size + ",");
            }
        }
    }

    /** Frees blocks [from, to) of a pool. */
    private void free(String tag, int pool, int from, int to) {
        for (int b = from; b < to; b++) {
            rows.add("free," + tag + pool + "_" + b + ",,");
        }
    }

    private void mark(String label) {
        rows.add("mark,,," + label);
    }

    @Test
    void splitMesherPairsGreedilyWithinEachClassUnderTheOccupancyCutoff() throws IOException {
        // Class 0, four pools in address order P0..P3 keeping [0,100), [100,200), [300,400), [200,350).
        // SplitMesher deals them into left (P0, P2) and right (P1, P3). P0 probes P1 first: disjoint, a pair.
        // P2 probes P3 (overlap on [300,350)), then P1 (taken): no pair. One pool released, although the
        // largest matching has two (P0-P3 and P2-P1): the count is Mesh's greedy one, not the optimum.
        fill("a", 4, 1021, 16);
        free("a", 0, 100, 1021);
        free("a", 1, 0, 100);
        free("a", 1, 200, 1021);
        free("a", 2, 0, 300);
        free("a", 2, 400, 1021);
        free("a", 3, 0, 200);
        free("a", 3, 350, 1021);
        mark("greedy");
        // Class 1, two pools both keeping [0,255): they overlap, nothing to mesh.
        fill("b", 2, 510, 32);
        free("b", 0, 255, 510);
        free("b", 1, 255, 510);
        // Class 2, two pools keeping [0,272) and [300,340): disjoint, but the first is at 272/340 = 80 %
        // occupancy, and Mesh only meshes spans under 80 % (kOccupancyCutoff).
        fill("c", 2, 340, 48);
        free("c", 0, 272, 340);
        free("c", 1, 0, 300);
        mark("at-cutoff");
        // One block fewer (271/340, under 80 %): now the pair meshes, a second pool released.
        free("c", 0, 271, 272);
        mark("under-cutoff");
        Path trace = dir.resolve("mesh.csv");
        Files.write(trace, rows);

        Path report = dir.resolve("report");
        Cli r = Cli.run("replay", trace.toString(), "--profile", "cpython-3.12", "-o", report.toString(),
                "--no-charts", "-q");
        assertEquals(0, r.exit(), r.err());
        Map<String, CSVRecord> marks = rows(report.resolve("marks.csv")).stream()
                .collect(Collectors.toMap(m -> m.get("snapshot"), m -> m, (x, y) -> y));
        assertEquals("1", marks.get("greedy").get("mesh_pools"));
        assertEquals(String.valueOf(16384), marks.get("greedy").get("mesh_bytes"));
        assertEquals("1", marks.get("at-cutoff").get("mesh_pools"));
        assertEquals("2", marks.get("under-cutoff").get("mesh_pools"));
        assertEquals("2", marks.get("end").get("mesh_pools"));
        // The layout is the one described: one arena, 4 + 2 + 2 pools in use.
        assertEquals("8", marks.get("end").get("used_pools"));
        assertEquals("1", marks.get("end").get("arenas"));
    }

    /** A count that would read more than its budget is not made; with room, it is the full count. */
    @Test
    void aCountOverItsBudgetIsLeftOut() {
        Allocator a = new Allocator(Profiles.byId("cpython-3.12").orElseThrow());
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < 2 * 1021; i++) {
            blocks.add(a.malloc(16));
        }
        for (int i = 0; i < blocks.size(); i++) {
            int b = i % 1021;  // the block's index in its pool
            if (i < 1021 ? b % 2 == 0 : b % 2 == 1) {
                a.free(blocks.get(i));  // two pools of class 0, live at odd and at even offsets: one pair
            }
        }
        assertEquals(1, Meshing.releasablePools(a));
        Meshing.Count all = Meshing.count(a, Long.MAX_VALUE);
        assertEquals(Meshing.UNKNOWN, Meshing.count(a, all.work() - 1).pools());
        assertEquals(1, Meshing.count(a, all.work()).pools());
        assertEquals(Meshing.UNKNOWN, Meshing.count(a, 0).pools());
    }

    static List<CSVRecord> rows(Path csv) throws IOException {
        try (Reader r = Files.newBufferedReader(csv);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }
}
