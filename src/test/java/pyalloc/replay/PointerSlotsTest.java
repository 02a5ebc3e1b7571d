package pyalloc.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.report.ReportSink;
import pyalloc.report.csv.SummaryCsv;
import pyalloc.stats.RunResult;
import pyalloc.trace.EventBatch;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;

/**
 * A model that finds its blocks by pointer slot ({@link PointerSlots}, given by address in the trace's arenas or in a
 * map) answers exactly as one that looks every pointer up in its own map, on hand-made traces that make every
 * anomaly, under the recording's profile and others: the same summary, anomalies and live blocks at the end.
 */
public final class PointerSlotsTest {

    /**
     * Against CPython itself: every fixture recorded from a real interpreter, replayed under its own profile but with
     * its blocks found by pointer slot instead of by address, prints at every mark exactly what that interpreter's
     * {@code _PyObject_DebugMallocStats} printed, with every block at the address CPython gave it.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("pyalloc.OracleTest#fixtures")
    void bySlotEverySnapshotMatchesCPython(Path dir) throws IOException {
        java.util.Map<String, String> printed = new java.util.LinkedHashMap<>();
        AddressCheck check;
        try (TraceReader reader = TraceFormat.open(TraceSource.of(dir.resolve("trace.csv.gz").toString()), false,
                false)) {
            ReplaySession session = new ReplaySession(pyalloc.OracleTest.strictAndChecked(dir),
                    reader.header().hasTime(), pyalloc.OracleTest.printing(printed));
            PointerSlots slots = new PointerSlots();
            session.usePointerSlots();
            for (EventBatch b; (b = reader.next()) != null; ) {
                slots.assign(b);
                session.accept(b);
            }
            check = session.addressCheck();
        }
        pyalloc.OracleTest.assertMarksMatchCPython(dir, printed);
        assertEquals(check.checked(), check.exact(), "first address mismatch: " + check.firstMismatch());
        org.junit.jupiter.api.Assertions.assertTrue(check.checked() > 10_000, "addresses checked: " + check.checked());
    }

    @Property(tries = 25)
    void slotsAnswerAsThePointerMap(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int which)
            throws IOException {
        String profile = List.of("cpython-3.12", "cpython-3.9", "cpython-3.7", "cpython-3.15-hugepages").get(which);
        Path file = Files.createTempFile("pyalloc-slots", ".csv");
        try {
            Files.writeString(file, anomalousTrace(new Random(seed)));
            ReplayOptions options = ReplayOptions.of(Profiles.byId(profile).orElseThrow());
            Outcome byMap = replay(file, options, false);
            Outcome bySlot = replay(file, options, true);
            assertEquals(byMap.summary(), bySlot.summary(), profile + ": summary");
            assertEquals(byMap.anomalies(), bySlot.anomalies(), profile + ": anomalies");
            assertEquals(byMap.liveBlocks(), bySlot.liveBlocks(), profile + ": live blocks at the end");
        } finally {
            Files.delete(file);
        }
    }

    /**
     * Arena rows no recorder writes, whose pointers the slots must leave to the map: two arenas of a size that is no
     * power of two starting in one window, an arena of one byte at the top of the address space, and one that wraps
     * past it.
     */
    @org.junit.jupiter.api.Test
    void oddArenaRowsAnswerAsThePointerMap() throws IOException {
        String head = "op,ptr,size,new_ptr,domain,ns,label\n";
        List<String> traces = List.of(
                head + "arena_alloc,0x100000,12288,,,1\nalloc,0x100010,32,,obj,2\narena_alloc,0x103000,12288,,,3\n"
                        + "alloc,0x103010,32,,obj,4\nfree,0x100010,,,obj,5\nalloc,0x103010,32,,obj,6\n"
                        + "free,0x103010,,,obj,7\n",
                head + "arena_alloc,0xffffffffffff0000,1,,,1\nalloc,0xffffffffffff0000,32,,obj,2\n"
                        + "free,0xffffffffffff0000,,,obj,3\n",
                head + "arena_alloc,0xffffffffffff0000,1048576,,,1\nalloc,0x10,32,,obj,2\n"
                        + "arena_alloc,0x7f0000000000,1048576,,,3\nalloc,0x7f0000000010,32,,obj,4\n"
                        + "free,0x10,,,obj,5\nfree,0x7f0000000010,,,obj,6\n");
        for (String trace : traces) {
            Path file = Files.createTempFile("pyalloc-slots", ".csv");
            try {
                Files.writeString(file, trace);
                for (String profile : List.of("cpython-3.9", "cpython-3.12")) {
                    ReplayOptions options = ReplayOptions.of(Profiles.byId(profile).orElseThrow());
                    Outcome byMap = replay(file, options, false);
                    Outcome bySlot = replay(file, options, true);
                    assertEquals(byMap, bySlot, profile + " on\n" + trace);
                }
            } finally {
                Files.delete(file);
            }
        }
    }

    /**
     * With call sites: the block an event releases leaves its site's count by slot as it would by pointer, a realloc
     * onto a live pointer included, so the snapshots' site attribution is the same (the shipped sample recorded
     * with sites, under its own profile and another).
     */
    @org.junit.jupiter.api.Test
    void callSitesAnswerAsThePointerMap() throws IOException {
        Path file = Path.of("traces/service-sites-3.12.pyat");
        for (String profile : List.of("cpython-3.9", "cpython-3.12", "cpython-3.15-hugepages")) {
            ReplayOptions options = ReplayOptions.of(Profiles.byId(profile).orElseThrow());
            Outcome byMap = replay(file, options, false);
            Outcome bySlot = replay(file, options, true);
            assertEquals(byMap, bySlot, profile);
            assertEquals(true, byMap.sites() != null && !byMap.sites().toString().contains("sites=[]"),
                    profile + ": the end snapshot has sites");
        }
    }

    private record Outcome(List<Object> summary, List<Object> anomalies, List<Long> liveBlocks, Object sites) {
    }

    private static Outcome replay(Path file, ReplayOptions options, boolean slotted) throws IOException {
        try (TraceReader reader = TraceFormat.open(TraceSource.of(file.toString()), false, false)) {
            ReplaySession session = new ReplaySession(options, reader.header().hasTime(), new ReportSink() { },
                    reader.sites().map(Replay::names).orElse(null));
            PointerSlots slots = slotted ? new PointerSlots() : null;
            if (slotted) {
                session.usePointerSlots();
            }
            for (EventBatch b; (b = reader.next()) != null; ) {
                if (slotted) {
                    slots.assign(b);
                }
                session.accept(b);
            }
            RunResult r = session.finish(file.toString(), "", 0);
            List<Object> summary = new ArrayList<>(Arrays.asList(SummaryCsv.row(r)));
            for (int c = SummaryCsv.COLUMNS.size() - 1; c >= 0; c--) {
                String h = SummaryCsv.COLUMNS.get(c).header();
                if (h.equals("wall_ms") || h.equals("events_per_s")) {
                    summary.remove(c);
                }
            }
            List<Object> anomalies = List.of(r.anomalies().counts(), r.anomalies().first());
            List<Long> live = new ArrayList<>();
            session.allocator().forEachLiveBlock((address, block) -> {
                live.add(address);
                live.add(block);
            });
            return new Outcome(summary.stream().map(String::valueOf).map(Object.class::cast).toList(), anomalies,
                    live, java.util.Arrays.asList(r.end().sites(), r.exit() == null ? null : r.exit().sites(),
                            r.siteTimeline() == null ? null : r.siteTimeline().samples().stream()
                                    .map(x -> x.event() + " " + Arrays.toString(x.blocks()) + " "
                                            + Arrays.toString(x.blockBytes()) + " " + Arrays.toString(x.requestedBytes()))
                                    .toList()));
        }
    }

    /** A trace recorded (it says) by 3.12 over a few dozen pointers, of which its events make every anomaly. */
    public static String anomalousTrace(Random r) {
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
