package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import pyalloc.TestTraces;

/**
 * Issue 18, item 4 and 5, as properties: every 64-bit value is a pointer, whatever its spelling (hex in either
 * case, with leading zeros, unsigned decimal) and whatever symbolic tokens share the trace; the live bytes at a
 * mark are the sums the trace's own rows give (worked out here from the rows, not by the model), and a sum past
 * 2^63 - 1 is exit 3 at the row that passes it; and no option value, however extreme, crashes a replay. jqwik
 * prints the seed of a failing try; rerun it with {@code @Property(seed = "...")}.
 */
final class ValueRangePropertiesTest {
    private Path dir;

    @BeforeTry
    void scratch() throws IOException {
        dir = Files.createTempDirectory("ranges");
    }

    @AfterTry
    void clean() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Pointer values where the range has edges, and where internal markers used to sit. */
    private static final long[] EDGES = {0, 1, 16, 0x7f0000001000L, Long.MAX_VALUE, Long.MIN_VALUE,
        Long.MIN_VALUE + 1, Long.MIN_VALUE + 2, Long.MIN_VALUE + 3, -1, -2, -16, 0xffff800000000000L};
    private static final long[] SIZES = {0, 1, 16, 500, 512, 513, 4096, 1 << 20, 1L << 40, Long.MAX_VALUE / 4,
        Long.MAX_VALUE / 2, Long.MAX_VALUE};

    /** One block of the generated trace: how it is named at its alloc and at its free, and its size. */
    private record Block(String allocName, String freeName, long size, boolean token) {
    }

    /** Returns a spelling of pointer {@code v}: hex (either case, perhaps with leading zeros) or unsigned decimal. */
    private static String spell(long v, Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> "0x" + Long.toHexString(v);
            case 1 -> "0X" + Long.toHexString(v).toUpperCase(Locale.ROOT);
            case 2 -> "0x" + "0".repeat(1 + r.nextInt(6)) + Long.toHexString(v);
            default -> Long.toUnsignedString(v);
        };
    }

    @Property(tries = 150)
    void everyPointerIsAPointerAndEverySumIsTheRowsOwn(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int n,
            @ForAll boolean canonical) throws IOException {
        Random r = new Random(seed);
        // Distinct pointers: tokens, edge values and random ones, each spelled anew at its free.
        List<Block> blocks = new ArrayList<>();
        List<Long> used = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long size = r.nextInt(3) == 0 ? SIZES[r.nextInt(SIZES.length)] : r.nextInt(2000);
            if (r.nextInt(4) == 0) {
                blocks.add(new Block("t" + i, "t" + i, size, true));
                continue;
            }
            long v;
            do {
                v = r.nextBoolean() ? EDGES[r.nextInt(EDGES.length)] : r.nextLong();
            } while (used.contains(v));
            used.add(v);
            blocks.add(new Block(spell(v, r), spell(v, r), size, false));
        }
        // Allocs in order, frees in random order after them, a mark at a random point.
        List<Integer> frees = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            frees.add(i);
        }
        Collections.shuffle(frees, r);
        int markAt = r.nextInt(2 * n + 1);
        List<String> rows = new ArrayList<>();
        rows.add(canonical ? "op,ptr,size,new_ptr,domain,ns,label" : "op,ptr,size,domain,label");
        BigInteger raw = BigInteger.ZERO;
        BigInteger small = BigInteger.ZERO;
        BigInteger total = BigInteger.ZERO;
        long markRaw = -1;
        long markSmall = -1;
        long overflowLine = -1;
        Map<Integer, Boolean> live = new LinkedHashMap<>();
        for (int step = 0; step <= 2 * n; step++) {
            if (step == markAt) {
                rows.add(canonical ? "mark,,,,obj,,m" : "mark,,,obj,m");
                markRaw = raw.longValue();
                markSmall = small.longValue();
                if (overflowLine > 0) {
                    break;
                }
            }
            if (step == 2 * n) {
                break;
            }
            boolean alloc = step < n;
            int i = alloc ? step : frees.get(step - n);
            Block b = blocks.get(i);
            BigInteger size = BigInteger.valueOf(b.size());
            boolean isSmall = b.size() > 0 && b.size() <= 512;
            if (alloc) {
                rows.add(canonical ? "alloc," + b.allocName() + "," + b.size() + ",,obj,," : "alloc," + b.allocName()
                        + "," + b.size() + ",obj,");
                live.put(i, true);
                total = total.add(size);  // the allocation clock: every byte ever allocated
                if (isSmall) {
                    small = small.add(size);
                } else {
                    raw = raw.add(size);
                }
                if ((raw.bitLength() > 63 || total.bitLength() > 63) && overflowLine < 0) {
                    overflowLine = rows.size();  // the header is line 1
                }
            } else {
                rows.add(canonical ? "free," + b.freeName() + ",,,obj,," : "free," + b.freeName() + ",,obj,");
                live.remove(i);
                if (isSmall) {
                    small = small.subtract(size);
                } else {
                    raw = raw.subtract(size);
                }
            }
        }
        Path out = dir.resolve("rep");
        String trace = TestTraces.write(dir, "t.csv", rows.toArray(String[]::new));
        Cli run = Cli.run("replay", trace, "-o", out.toString(), "--no-charts", "-q", "-p", "3.12");
        if (overflowLine > 0) {
            assertEquals(ExitCode.BAD_TRACE, run.exit(), run.err());
            assertTrue(run.err().startsWith("pyalloc replay: " + trace + ":" + overflowLine + ": size "), run.err()
                    + " (expected line " + overflowLine + ")\n" + String.join("\n", rows));
            assertFalse(Files.exists(out));
            return;
        }
        assertEquals(ExitCode.OK, run.exit(), run.err() + "\n" + String.join("\n", rows));
        Map<String, String> summary = row(out.resolve("summary.csv"), 1);
        assertEquals("0", summary.get("anomalies"), "every pointer found again at its free:\n" + String.join("\n", rows));
        assertEquals("end", summary.get("snapshot"));
        assertEquals("0", summary.get("requested_bytes"));
        assertEquals("0", summary.get("raw_bytes"));
        assertEquals(String.valueOf(rows.size() - 1), summary.get("events"));
        Map<String, String> mark = row(out.resolve("marks.csv"), 1);
        assertEquals("m", mark.get("snapshot"));
        assertEquals(String.valueOf(markSmall), mark.get("requested_bytes"), "L at the mark: the rows' own sum");
        assertEquals(String.valueOf(markRaw), mark.get("raw_bytes"), "raw bytes at the mark: the rows' own sum");
    }

    private static Map<String, String> row(Path csv, int index) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] h = lines.get(0).split(",", -1);
        String[] v = lines.get(index).split(",", -1);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < h.length; i++) {
            m.put(h[i], v[i]);
        }
        return m;
    }

    // ---------------------------------------------------------------- options

    @Provide
    Arbitrary<List<String>> options() {
        Arbitrary<List<String>> size = Arbitraries.of("--pool-size", "--arena-size", "--threshold").flatMap(o ->
                Arbitraries.of("0", "1", "8", "512", "513", "1K", "4K", "16K", "64K", "1M", "2M", "1G", "2G", "4G",
                        "-1", "abc", "1.5K", "99999999999999999999", "9223372036854775807K", " 16K ", "16KiB")
                        .map(v -> List.of(o, v)));
        Arbitrary<List<String>> other = Arbitraries.oneOf(
                Arbitraries.of("0", "8", "16", "32", "-8", "x").map(v -> List.of("--alignment", v)),
                Arbitraries.of("0", "1", "2", "3", "50000000", "50000001", "2000000000", "2147483648", "-1", "1e3")
                        .map(v -> List.of("--samples", v)),
                Arbitraries.of("-1", "0", "25", "100", "100.0001", "NaN", "Infinity", "1e308", "-0")
                        .map(v -> List.of("--pinned-below", v)),
                Arbitraries.of("3.12", "2.7", "", "cpython-3.15-hugepages", "3.12.1", "4.0", "cpython-3.7")
                        .map(v -> List.of("--profile", v)),
                Arbitraries.of(List.of("--pool-aligned-arenas"), List.of("--strict"), List.of("--lenient"),
                        List.of("--emit", "debugmallocstats"), List.of("--emit", "bogus")));
        return Arbitraries.oneOf(size, other).list().ofMinSize(1).ofMaxSize(5)
                .map(l -> l.stream().flatMap(List::stream).toList());
    }

    @Property(tries = 150)
    void noOptionValueCrashesAReplay(@ForAll("options") List<String> options) {
        List<String> args = new ArrayList<>(List.of("replay", TestTraces.real("3.12", "startup").toString(),
                "--no-report", "-q"));
        args.addAll(options);
        Cli r = Cli.run(args.toArray(String[]::new));
        String what = String.join(" ", options) + ": " + r.err();
        assertTrue(r.exit() == ExitCode.OK || r.exit() == ExitCode.USAGE, "exit " + r.exit() + " for " + what);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), what);
        if (r.exit() == ExitCode.OK) {
            assertEquals("", r.err(), what);
        } else {
            assertTrue(r.err().startsWith("pyalloc replay: "), what);
            assertTrue(r.err().lines().count() <= 2, "one line and perhaps a hint: " + what);
        }
    }
}
