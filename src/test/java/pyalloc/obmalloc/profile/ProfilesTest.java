package pyalloc.obmalloc.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import pyalloc.obmalloc.Allocator;
import pyalloc.report.text.DebugMallocStatsText;
import pyalloc.stats.Snapshot;

/**
 * The what-if profile of a CPython 3.15 built {@code --with-pymalloc-hugepages}, which no interpreter here was built
 * as, held to the numbers in CPython's own source: {@code Include/internal/pycore_obmalloc.h} as Debian's 3.15.2
 * ships it (line numbers of that file), and {@code Objects/obmalloc.c} after gh-144319 (gh-144331, gh-147963).
 * The version profiles themselves are held to the interpreters by OracleTest.
 */
final class ProfilesTest {
    private static final AllocatorProfile HUGE = Profiles.CPYTHON_3_15_HUGEPAGES.profile();

    @Test
    void hugePagesTakeArenaBitsFrom20To21AndKeepThePools() {
        // 216-221: #ifdef USE_LARGE_ARENAS / # ifdef PYMALLOC_USE_HUGEPAGES / # define ARENA_BITS 21 /* 2 MiB */
        assertEquals(21, HUGE.arenaBits());
        assertEquals(2 * 1024 * 1024, HUGE.arenaSize());  // 225: ARENA_SIZE (1 << ARENA_BITS)
        // 235-240: USE_LARGE_POOLS (64-bit, radix tree) keeps POOL_BITS 14 whatever ARENA_BITS is.
        assertEquals(16384, HUGE.poolSize());
        assertEquals(128, HUGE.maxPoolsInArena());  // 249: MAX_POOLS_IN_ARENA (ARENA_SIZE / POOL_SIZE)
        // 139, 163: ALIGNMENT_SHIFT 4 and SMALL_REQUEST_THRESHOLD 512 are untouched: the same 32 size classes.
        assertEquals(16, HUGE.alignment());
        assertEquals(32, HUGE.sizeClasses());
        assertEquals(Profiles.CPYTHON_3_15.profile().blocksPerPool(0), HUGE.blocksPerPool(0));
    }

    @Test
    void theRadixTreeSplitIsDerivedFromArenaBits() {
        // 565, 576, 599: POINTER_BITS 64, IGNORE_BITS 0, ADDRESS_BITS 64.
        assertEquals(64, HUGE.radixAddressBits());
        // 603: INTERIOR_BITS ((ADDRESS_BITS - ARENA_BITS + 2) / 3) = (64 - 21 + 2) / 3 = 15 (MAP_TOP_BITS, MAP_MID_BITS)
        assertEquals(15, HUGE.radixInteriorBits());
        // 616: MAP_BOT_BITS (ADDRESS_BITS - ARENA_BITS - 2*INTERIOR_BITS) = 64 - 21 - 30 = 13
        assertEquals(13, HUGE.radixBottomBits());
        // 537-542, the header's own table: "15 -> MAP_TOP_BITS, 15 -> MAP_MID_BITS, 13 -> MAP_BOT_BITS,
        // 21 -> ideal aligned arena" for 64-bit pointers, IGNORE_BITS=0 and 2^21 arena size (hugepages).
        assertEquals(64, HUGE.radixInteriorBits() * 2 + HUGE.radixBottomBits() + HUGE.arenaBits());
    }

    @Test
    void oneArenaMappedWithMapHugetlbIsAlignedAndPrintsThoseSizes() {
        // obmalloc.c _PyMem_ArenaAlloc: with PYTHON_PYMALLOC_HUGEPAGES=1 and a 2 MiB Hugepagesize, arenas come from
        // mmap(MAP_HUGETLB), aligned to the huge page: new_arena finds no excess, so all 128 pools are usable.
        Allocator a = new Allocator(HUGE);
        a.offerArenaBase(0x7f0000200000L);
        a.malloc(16);
        String text = DebugMallocStatsText.format(Snapshot.take(a, "one", 1, 0, 1, 25));
        assertTrue(text.contains("1 arenas * 2097152 bytes/arena     =            2,097,152\n"), text);
        // one 16-byte block; the other 1020 of its pool (NUMBLOCKS(0) = (16384 - 48) / 16) are available
        assertTrue(text.contains("# bytes in available blocks        =               16,320\n"), text);
        assertTrue(text.contains("127 unused pools * 16384 bytes     =            2,080,768\n"), text);
        assertTrue(text.contains("# bytes lost to arena alignment    =                    0\n"), text);
        // 660: the root holds MAP_TOP_LENGTH = 2^15 pointers; 656: a mid node 2^15 pointers;
        // 651 with 642-643: a bottom node MAP_BOT_LENGTH = 2^13 arena_coverage_t of two int32_t.
        assertTrue(text.contains("# bytes lost to arena map root     =              262,144\n"), text);
        assertTrue(text.contains("# bytes lost to arena map mid      =              262,144\n"), text);
        assertTrue(text.contains("# bytes lost to arena map bot      =               65,536\n"), text);
    }

    @Test
    void aVersionNamesItsOwnProfileNeverTheWhatIf() {
        assertEquals("cpython-3.15", Profiles.byId("3.15").orElseThrow().id());
        assertEquals("cpython-3.15", Profiles.byId("3.15.2").orElseThrow().id());
        assertEquals("cpython-3.15", ProfileSpec.FROM_TRACE.resolve(Optional.of("3.15.2")).profile().id());
        assertEquals("cpython-3.15", Profiles.newest().id());
        assertEquals(HUGE, Profiles.byId("cpython-3.15-hugepages").orElseThrow());
        assertTrue(Profiles.CPYTHON_3_15_HUGEPAGES.checkedAgainst().isEmpty());
        assertEquals("3.14.10", Profiles.CPYTHON_3_14.checkedAgainst().orElseThrow());
    }

    @Test
    void aTraceFromAnUnmodelledVersionIsReplayedWithTheNearestAndAWarning() {
        for (String[] c : new String[][] {{"3.16.0", "cpython-3.15"}, {"3.6.15", "cpython-3.7"},
                {"2.7.18", "cpython-3.7"}, {"4.0", "cpython-3.15"}}) {
            ProfileChoice choice = ProfileSpec.FROM_TRACE.resolve(Optional.of(c[0]));
            assertEquals(c[1], choice.profile().id(), c[0]);
            assertTrue(choice.warning().contains("Python " + c[0] + ", which pyalloc does not model"), choice.warning());
            assertTrue(choice.note().contains(c[0]), choice.note());
        }
        ProfileChoice modelled = ProfileSpec.FROM_TRACE.resolve(Optional.of("3.9.18"));
        assertEquals("cpython-3.9", modelled.profile().id());
        assertNull(modelled.warning());
        assertEquals(" (from the trace header)", modelled.note());
    }
}
