package pyalloc.report.findings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.cli.Cli;

/**
 * Every finding rule on hand-made traces that trigger it and traces that do not, replayed with 3.8's pymalloc:
 * 256 KiB arenas of 64 pools of 4 KiB, every wholly free arena returned, and 63 blocks of 64 bytes per pool, so
 * one arena holds 4,032 such blocks and the numbers below follow by hand. Block {@code i} of a fresh run of
 * 64-byte allocations lands in arena {@code i / 4032}.
 */
final class FindingsTest {
    static final int PER_ARENA = 4032;
    static final long ARENA = 256 * 1024;

    @TempDir
    Path dir;

    /** A trace written by hand, with symbolic pointers and no time (the clock is the event index). */
    static final class Trace {
        private final StringBuilder rows = new StringBuilder("op,ptr,size,label,site\n");

        /** Defines frame and site {@code id}: {@code app.py}, line {@code line}, in {@code function}. */
        Trace site(int id, int line, String function) {
            rows.append("#frame,").append(id).append(",/home/me/app.py,").append(line).append(',').append(function)
                    .append('\n').append("#site,").append(id).append(',').append(id).append(",\n");
            return this;
        }

        /** An allocation made at site {@code site}. */
        Trace allocAt(long id, int size, int site) {
            rows.append("alloc,").append(id).append(',').append(size).append(",,").append(site).append('\n');
            return this;
        }

        Trace alloc(long id, int size) {
            rows.append("alloc,").append(id).append(',').append(size).append(",,\n");
            return this;
        }

        Trace allocRange(long from, long to, int size) {
            for (long i = from; i < to; i++) {
                alloc(i, size);
            }
            return this;
        }

        Trace free(long id) {
            rows.append("free,").append(id).append(",,,\n");
            return this;
        }

        /** Frees the blocks {@code from..to-1} but every {@code keepEvery}-th (0: all). */
        Trace freeRange(long from, long to, int keepEvery) {
            for (long i = from; i < to; i++) {
                if (keepEvery == 0 || i % keepEvery != 0) {
                    free(i);
                }
            }
            return this;
        }

        Trace mark(String label) {
            rows.append("mark,,,").append(label).append(",\n");
            return this;
        }
    }

    /** Findings by trace text: several tests read the same trace's. */
    private static final Map<String, Map<String, Finding>> REPLAYED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Replays {@code t} (once per trace) and returns its findings by rule. */
    Map<String, Finding> findings(Trace t) {
        return REPLAYED.computeIfAbsent(t.rows.toString(), k -> replay(t));
    }

    private Map<String, Finding> replay(Trace t) {
        try {
            Path trace = Files.createTempFile(dir, "trace", ".csv");
            Files.writeString(trace, t.rows);
            Path report = dir.resolve(trace.getFileName() + ".report");
            Cli r = Cli.run("replay", trace.toString(), "-o", report.toString(), "--profile", "cpython-3.8",
                    "--no-charts", "-q");
            assertEquals(0, r.exit(), r.err());
            List<Finding> found = Findings.read(report);
            return found.stream().collect(Collectors.toMap(Finding::rule, f -> f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Four arenas of 64-byte blocks, two of every three freed all over them, then the exit mark. */
    static Trace scattered() {
        return new Trace().allocRange(0, 4 * PER_ARENA, 64).freeRange(0, 4 * PER_ARENA, 3).mark("exit");
    }

    /** Four arenas of 64-byte blocks, the last three freed wholly (and returned), then the exit mark. */
    static Trace contiguous() {
        return new Trace().allocRange(0, 4 * PER_ARENA, 64).freeRange(PER_ARENA, 4 * PER_ARENA, 0).mark("exit");
    }

    @Test
    void heldVsNeededWhenLessThanHalfOfTheArenasIsLiveData() {
        Finding f = findings(scattered()).get("held-vs-needed");
        long live = (4 * PER_ARENA + 2) / 3 * 64;  // every third block of 16,128: 5,376
        assertEquals(4 * ARENA - live, (long) f.value());
        assertEquals("exit", f.snapshot());
        assertTrue(f.text().startsWith("At exit, 1.00 MiB in 4 arenas hold 336 KiB of live data (33% used)"), f.text());
        assertFalse(findings(contiguous()).containsKey("held-vs-needed"), "one full arena: all live");
    }

    @Test
    void headlineIsTheExitMarkNotTheShutdownAfterIt() {
        Trace t = new Trace().allocRange(0, 2 * PER_ARENA, 64).mark("exit").freeRange(0, 2 * PER_ARENA - 1, 0);
        Map<String, Finding> found = findings(t);
        assertFalse(found.containsKey("held-vs-needed"), "at exit both arenas are full; the end is shutdown");
        assertFalse(found.containsKey("pinned-arenas"));
    }

    @Test
    void freedNotReturnedWhenLiveDataFallsAndTheArenasStay() {
        Finding f = findings(scattered()).get("freed-not-returned");
        long freed = 4L * PER_ARENA * 64 - (4 * PER_ARENA + 2) / 3 * 64;
        assertEquals(freed, (long) f.value(), "all that was freed stayed: no arena went back");
        assertFalse(findings(contiguous()).containsKey("freed-not-returned"), "three wholly free arenas returned");
    }

    @Test
    void pinnedArenasWhenAFewBlocksHoldAnArena() {
        Trace t = new Trace().allocRange(0, 2 * PER_ARENA, 64).freeRange(PER_ARENA + 1, 2 * PER_ARENA, 0)
                .mark("exit");
        Finding f = findings(t).get("pinned-arenas");
        assertEquals(ARENA, (long) f.value());
        assertTrue(f.text().contains("1 arena (256 KiB) is pinned: 1 live block (64 B) keeps it"), f.text());
        assertTrue(f.evidence().contains("slot 1 occupancy 0.0244%"), f.evidence());
        assertFalse(findings(contiguous()).containsKey("pinned-arenas"));
    }

    @Test
    void pinnedArenasNameTheLinesThatPinThem() {
        // arena 0 full of churn; arena 1 gets one block kept by app.py:9, then churn that is freed
        Trace t = new Trace().site(1, 7, "churn").site(2, 9, "keep");
        for (int i = 0; i < PER_ARENA; i++) {
            t.allocAt(i, 64, 1);
        }
        t.allocAt(PER_ARENA, 64, 2);
        for (int i = PER_ARENA + 1; i < 2 * PER_ARENA; i++) {
            t.allocAt(i, 64, 1);
        }
        t.freeRange(PER_ARENA + 1, 2 * PER_ARENA, 0).mark("exit");
        Finding f = findings(t).get("pinned-arenas");
        assertTrue(f.text().endsWith("Most of those blocks were allocated at app.py:9 in keep (1 block). Every live"
                + " block of one arena comes from app.py:9 in keep: freeing them would give it back."), f.text());
        assertTrue(f.evidence().contains("sites.csv: site 2 blocks_in_pinned_arenas 1, sole_arenas 1"), f.evidence());
    }

    @Test
    void leakLikeGrowthWhenLiveDataOnlyGrows() {
        Trace grows = new Trace();
        for (int i = 0; i < 3 * PER_ARENA; i++) {
            grows.alloc(i, 64).alloc(1_000_000 + i, 64).free(1_000_000 + i);  // a temporary beside each kept one
        }
        Finding f = findings(grows.mark("exit")).get("leak-like-growth");
        assertTrue(f.value() >= 2 * ARENA * 0.9, f.text());

        Trace plateau = new Trace().allocRange(0, 3 * PER_ARENA, 64);
        for (int i = 0; i < 6 * PER_ARENA; i++) {
            plateau.alloc(1_000_000 + i, 64).free(1_000_000 + i);
        }
        assertFalse(findings(plateau.mark("exit")).containsKey("leak-like-growth"), "grew early, then flat");
    }

    @Test
    void refillReusesSpaceWhenLiveDataGrowsBackWithoutANewArena() {
        Trace cache = scattered();
        Trace refilled = new Trace().allocRange(0, 4 * PER_ARENA, 64).freeRange(0, 4 * PER_ARENA, 3)
                .allocRange(1_000_000, 1_000_000 + 2 * PER_ARENA, 64).mark("exit");
        Finding f = findings(refilled).get("refill-reuses-space");
        assertTrue(f.value() >= 0.9 * 2 * PER_ARENA * 64, f.text());
        assertFalse(findings(cache).containsKey("refill-reuses-space"), "nothing grew back");
        Trace newArenas = contiguous();
        newArenas.allocRange(1_000_000, 1_000_000 + 2 * PER_ARENA, 64);
        assertFalse(findings(newArenas.mark("exit2")).containsKey("refill-reuses-space"),
                "after its arenas went back, the growth needs new ones");
    }

    @Test
    void compactionWhenPackingWouldReleaseArenas() {
        Finding f = findings(scattered()).get("compaction");
        // 5,376 live blocks need 86 pools of 63: 2 arenas of 64 pools instead of 4
        assertEquals(2 * ARENA, (long) f.value());
        assertTrue(f.text().contains("would fit in 2 arenas if they were perfectly packed, instead of 4"), f.text());
        assertFalse(findings(contiguous()).containsKey("compaction"));
    }

    @Test
    void sizeClassRoundingWhenRequestsSitJustAboveAClass() {
        Trace rounded = new Trace().allocRange(0, PER_ARENA, 49).mark("exit");  // 49 bytes in 64-byte blocks
        Finding f = findings(rounded).get("size-class-rounding");
        assertEquals(PER_ARENA * 15L, (long) f.value());
        assertTrue(f.text().contains("31% on top of"), f.text());
        assertFalse(findings(new Trace().allocRange(0, PER_ARENA, 64).mark("exit"))
                .containsKey("size-class-rounding"));
    }

    /** Compares {@code t} under the given profiles and returns the comparison folder's findings by rule. */
    Map<String, Finding> compared(Trace t, String profiles) throws IOException {
        Path trace = Files.createTempFile(dir, "trace", ".csv");
        Files.writeString(trace, t.rows);
        Path folder = dir.resolve(trace.getFileName() + ".compare");
        Cli r = Cli.run("compare", trace.toString(), "-o", folder.toString(), "--profile", profiles, "--no-charts",
                "-q");
        assertEquals(0, r.exit(), r.err());
        return Findings.read(folder).stream().collect(Collectors.toMap(Finding::rule, f -> f));
    }

    @Test
    void bestConfigurationOfAComparison() throws IOException {
        // 3.9 keeps the last wholly free arena (bpo-37257), 3.8 returns it: the same peak, one arena apart at exit
        Finding f = compared(contiguous(), "3.9,3.8").get("best-configuration");
        assertEquals(ARENA, (long) f.value());
        assertEquals("Of 2 configurations, none would have held less at its peak than the baseline, cpython-3.9"
                + " (1.00 MiB); cpython-3.8 held as little. At exit, cpython-3.8 would keep least: 256 KiB against"
                + " 512 KiB.", f.text());
        Finding same = compared(contiguous(), "3.8,3.9").get("best-configuration");
        assertEquals(0, (long) same.value(), same.text());
        assertFalse(same.text().contains("keep least"), same.text());
        assertFalse(findings(contiguous()).containsKey("best-configuration"), "a replay compares nothing");
    }

    @Test
    void outsidePymallocWhenLargeRequestsGoToMalloc() {
        Trace large = new Trace().allocRange(0, PER_ARENA, 64).allocRange(1_000_000, 1_000_100, 4096).mark("exit");
        Finding f = findings(large).get("outside-pymalloc");
        assertEquals(100 * 4096L, (long) f.value());
        assertFalse(findings(new Trace().allocRange(0, PER_ARENA, 64).alloc(1_000_000, 4096).mark("exit"))
                .containsKey("outside-pymalloc"));
    }
}
