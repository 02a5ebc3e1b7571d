package pyalloc.obmalloc.profile;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CPython versions pyalloc reproduces, one line each, with the interpreter whose own statistics and block
 * addresses their replays were checked against; then named what-if builds, which no interpreter here was built as.
 */
public enum Profiles {
    // 3.7.4+ (all 3.7 builds here): 16-byte alignment, bpo-27987. 4 KiB pools, 256 KiB arenas, every empty arena freed.
    CPYTHON_3_7("3.7", "3.7.16", 4, 4096, 256 << 10, false, 0),
    // 3.8 replaces the linear usable_arenas scan by nfp2lasta: same order, faster.
    CPYTHON_3_8("3.8", "3.8.18", 4, 4096, 256 << 10, false, 0),
    // 3.9 keeps one wholly free arena, the last of usable_arenas, to stop arena thrashing (bpo-37257).
    CPYTHON_3_9("3.9", "3.9.18", 4, 4096, 256 << 10, true, 0),
    // 3.10: radix tree ownership (bpo-37448) allows 16 KiB pools in 1 MiB arenas; the tree covers 48 address bits.
    CPYTHON_3_10("3.10", "3.10.13", 4, 16 << 10, 1 << 20, true, 48),
    // 3.11 sets IGNORE_BITS to 0: the radix tree keys on all 64 bits (bigger root and nodes).
    CPYTHON_3_11("3.11", "3.11.7", 4, 16 << 10, 1 << 20, true, 64),
    // 3.12 moves the state into the interpreter (one state per own-GIL interpreter); the main state is unchanged.
    CPYTHON_3_12("3.12", "3.12.1", 4, 16 << 10, 1 << 20, true, 64),
    CPYTHON_3_13("3.13", "3.13.0", 4, 16 << 10, 1 << 20, true, 64),
    // 3.14: pymalloc as in 3.13 (pycore_obmalloc.h differs in two comments; the statistics print the same lines).
    CPYTHON_3_14("3.14", "3.14.10", 4, 16 << 10, 1 << 20, true, 64),
    // 3.15: as 3.14 in a default build. It advises MADV_HUGEPAGE on each new arena (gh-144353; strace shows it), which
    // places nothing differently; gh-144319 adds the build option below.
    CPYTHON_3_15("3.15", "3.15.2", 4, 16 << 10, 1 << 20, true, 64),
    // What-if: 3.15 built --with-pymalloc-hugepages (gh-144319, PYMALLOC_USE_HUGEPAGES) and run with
    // PYTHON_PYMALLOC_HUGEPAGES=1 (gh-144331): ARENA_BITS 21, so 2 MiB arenas of 128 16-KiB pools and a 15/15/13 radix
    // split; arenas are mapped with MAP_HUGETLB, which aligns them to the 2 MiB huge page, so no pool is lost to
    // alignment. Without the run-time opt-in (or with the huge-page pool exhausted) arenas fall back to plain mmap:
    // that is --profile cpython-3.15 --arena-size 2M.
    CPYTHON_3_15_HUGEPAGES("cpython-3.15-hugepages", "3.15 --with-pymalloc-hugepages", null,
            4, 16 << 10, 2 << 20, true, 64, true);

    private final AllocatorProfile profile;
    private final String checkedAgainst;

    Profiles(String version, String checkedAgainst, int shift, int pool, int arena, boolean keepLastEmptyArena,
            int radixBits) {
        this("cpython-" + version, version, checkedAgainst, shift, pool, arena, keepLastEmptyArena, radixBits, false);
    }

    Profiles(String id, String version, String checkedAgainst, int shift, int pool, int arena,
            boolean keepLastEmptyArena, int radixBits, boolean poolAlignedArenas) {
        this.profile = new AllocatorProfile(id, version, shift, 512, pool, arena, keepLastEmptyArena, radixBits,
                poolAlignedArenas);
        this.checkedAgainst = checkedAgainst;
    }

    public AllocatorProfile profile() {
        return profile;
    }

    /**
     * Returns the interpreter (CPython X.Y.Z) whose own statistics and block addresses this profile's replays were
     * checked against, or empty for a what-if build no interpreter here was built as.
     */
    public Optional<String> checkedAgainst() {
        return Optional.ofNullable(checkedAgainst);
    }

    /** Returns the newest version's profile, the default when a trace does not name its interpreter. */
    public static AllocatorProfile newest() {
        Profiles newest = null;
        for (Profiles p : values()) {
            if (p.checkedAgainst != null) {
                newest = p;
            }
        }
        return newest.profile;
    }

    /** Returns the profile ids, oldest first, what-if builds after the version they change. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(p -> p.profile.id()).toList();
    }

    /**
     * Returns the profile called {@code id}: a profile id ({@code cpython-3.12}, {@code cpython-3.15-hugepages}), or a
     * version ({@code 3.12}, {@code 3.12.1}), which names that version's own profile, never a what-if build.
     */
    public static Optional<AllocatorProfile> byId(String id) {
        Optional<AllocatorProfile> exact = Arrays.stream(values()).map(Profiles::profile)
                .filter(p -> p.id().equals(id)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        String v = id.startsWith("cpython-") ? id.substring(8) : id;
        Matcher m = Pattern.compile("(\\d+\\.\\d+)(\\.\\d+.*)?").matcher(v);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(p -> p.checkedAgainst != null).map(Profiles::profile)
                .filter(p -> p.version().equals(m.group(1))).findFirst();
    }

    private static final Pattern PYTHON_HEADER = Pattern.compile("^#\\s*python\\s+(\\d+\\.\\d+)(\\.\\S+)?.*$");

    /** Returns the profile named by a trace comment such as {@code # python 3.11.7}, if it is one we know. */
    public static Optional<AllocatorProfile> fromTraceComment(String commentLine) {
        Matcher m = PYTHON_HEADER.matcher(commentLine.trim());
        return m.matches() ? byId(m.group(1)) : Optional.empty();
    }
}
