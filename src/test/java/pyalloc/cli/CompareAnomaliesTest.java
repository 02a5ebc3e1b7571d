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
            Files.writeString(csv, trace(new Random(seed)));
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
            for (String id : CompareTest.column(dir.resolve("compare-2/compare.csv"), "profile")) {
                List<String> kinds = CompareTest.column(dir.resolve("compare-2").resolve(id).resolve("anomalies.csv"),
                        "kind");
                assertTrue(kinds.containsAll(List.of("alloc_live", "free_unknown", "realloc_unknown")),
                        id + ": the trace makes every anomaly: " + new java.util.TreeSet<>(kinds));
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A trace recorded (it says) by 3.12 over a few dozen pointers, of which its events make every anomaly. */
    private static String trace(Random r) {
        StringBuilder s = new StringBuilder("# python 3.12.1\nop,ptr,size,new_ptr,domain,ns,label\n");
        long arena = 0x7f0000100000L;
        s.append("arena_alloc,0x").append(Long.toHexString(arena)).append(",1048576,,,1\n");
        long ns = 2;
        for (int k = 0; k < 3000; k++) {
            long ptr = arena + 16L * (1 + r.nextInt(48)) * (r.nextInt(5) == 0 ? 4096 : 1);
            long other = arena + 16L * (1 + r.nextInt(48));
            String domain = r.nextInt(20) == 0 ? "raw" : r.nextBoolean() ? "obj" : "mem";
            int size = r.nextInt(10) == 0 ? 600 + r.nextInt(4000) : r.nextInt(20) == 0 ? 0 : 1 + r.nextInt(512);
            String p = "0x" + Long.toHexString(ptr);
            switch (r.nextInt(7)) {
                case 0, 1, 2 -> s.append("alloc,").append(p).append(',').append(size).append(",,").append(domain);
                case 3 -> s.append("calloc,").append(p).append(',').append(size).append(",,").append(domain);
                case 4, 5 -> s.append("free,").append(p).append(",,,").append(domain);
                default -> s.append("realloc,").append(p).append(',').append(size).append(",0x")
                        .append(Long.toHexString(r.nextBoolean() ? ptr : other)).append(',').append(domain);
            }
            s.append(',').append(ns++).append('\n');
            if (k == 1500) {
                s.append("mark,,,,,").append(ns++).append(",half\n");
            }
            if (k % 700 == 350) {
                // The arena goes and comes back with pointers still bound in it (frees the trace missed), and a
                // second arena is mapped where pointers were bound before it.
                s.append("arena_free,0x").append(Long.toHexString(arena)).append(",1048576,,,").append(ns++)
                        .append('\n');
                s.append("arena_alloc,0x").append(Long.toHexString(arena)).append(",1048576,,,").append(ns++)
                        .append('\n');
                s.append("arena_alloc,0x").append(Long.toHexString(arena + (2L << 20))).append(",1048576,,,")
                        .append(ns++).append('\n');
            }
        }
        return s.toString();
    }
}
