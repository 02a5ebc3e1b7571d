package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import pyalloc.replay.PointerSlotsTest;

/**
 * compare finds the blocks of another configuration than the recording's by pointer slots given once for all models
 * (pyalloc.replay.PointerSlots), where replay alone looks them up in a map by pointer: the answers must be the same
 * for what hand-made traces do and recorded ones do not (an alloc of a live pointer, a free or realloc of an unknown
 * one, a realloc onto a live pointer or onto itself, blocks pymalloc declines, the RAW domain), in both the trace's
 * own configuration and others.
 */
final class CompareAnomaliesTest {

    @Property(tries = 12)
    void slotsAnswerAsPointerMapsDo(@ForAll long seed) throws IOException {
        Path dir = Files.createTempDirectory("pyalloc-slots");
        try {
            Path csv = dir.resolve("anomalies.csv");
            Files.writeString(csv, PointerSlotsTest.anomalousTrace(new Random(seed)));
            // The binary form too: compare then decodes straight into the batches it hands the models.
            Path trace = dir.resolve("anomalies.pyat");
            Cli convert = Cli.run("convert", "-q", csv.toString(), trace.toString());
            assertEquals(0, convert.exit(), convert.err());
            CompareTest.assertOnePassEqualsReplays(csv, dir.resolve("csv"),
                    List.of("--profile", "3.12,3.9"), List.of(List.of("--profile", "3.12"), List.of("--profile", "3.9")));
            CompareTest.assertOnePassEqualsReplays(trace, dir,
                    List.of("--profile", "3.12,3.9", "--arena-size", "256K,1M"),
                    List.of(List.of("--profile", "3.12", "--arena-size", "256K"),
                            List.of("--profile", "3.12", "--arena-size", "1M"),
                            List.of("--profile", "3.9", "--arena-size", "256K"),
                            List.of("--profile", "3.9", "--arena-size", "1M")));
            // Every configuration met every anomaly (anomalies.csv lists only the first few; the counts are all).
            for (String kind : List.of("alloc_live", "free_unknown", "realloc_unknown")) {
                for (String n : CompareTest.column(dir.resolve("compare-2/compare.csv"), "anomalies_" + kind)) {
                    assertTrue(Long.parseLong(n) > 0, "the trace makes " + kind + " in every configuration");
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A trace with call sites: each configuration's site files too are the ones its own replay writes. */
    @org.junit.jupiter.api.Test
    void callSitesInOnePassEqualTheirOwnReplays(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path trace = Path.of("traces/service-sites-3.12.pyat");
        CompareTest.assertOnePassEqualsReplays(trace, dir, List.of("--profile", "3.12,3.9"),
                List.of(List.of("--profile", "3.12"), List.of("--profile", "3.9")));
        for (String id : CompareTest.column(dir.resolve("compare-2/compare.csv"), "profile")) {
            int k = id.equals("cpython-3.12") ? 0 : 1;
            for (String f : List.of("sites.csv", "site_timeline.csv", "arena_sites.csv")) {
                assertEquals(Files.readString(dir.resolve("replay-" + k).resolve(f)),
                        Files.readString(dir.resolve("compare-2").resolve(id).resolve(f)), id + ": " + f);
                assertEquals(Files.readString(dir.resolve("replay-" + k).resolve(f)),
                        Files.readString(dir.resolve("compare-1").resolve(id).resolve(f)), id + ": " + f);
            }
        }
    }
}
