package pyalloc.obmalloc.profile;

import static pyalloc.obmalloc.profile.AllocatorProfile.cpython;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CPython versions pyalloc reproduces, one line each (docs/obmalloc.md, table 1.1), with the interpreter whose
 * own statistics and block addresses their replays were checked against; then named what-if builds, which no
 * interpreter here was built as. A new version is one line here plus its captures under
 * src/test/resources/cpython/, which the oracle test finds by itself.
 */
public enum Profiles {
    // 3.7.4+ (all 3.7 builds here): 16-byte alignment, bpo-27987. 4 KiB pools, 256 KiB arenas, every empty arena freed.
    CPYTHON_3_7("3.7.16", cpython("3.7").pools(4 << 10).arenas(256 << 10)),
    // 3.8 replaces the linear usable_arenas scan by nfp2lasta: same order, faster.
    CPYTHON_3_8("3.8.18", cpython("3.8").pools(4 << 10).arenas(256 << 10)),
    // 3.9 keeps one wholly free arena, the last of usable_arenas, to stop arena thrashing (bpo-37257).
    CPYTHON_3_9("3.9.18", cpython("3.9").pools(4 << 10).arenas(256 << 10).keepLastEmptyArena()),
    // 3.10: radix tree ownership (bpo-37448) allows 16 KiB pools in 1 MiB arenas; the tree covers 48 address bits.
    CPYTHON_3_10("3.10.13", cpython("3.10").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(48)),
    // 3.11 sets IGNORE_BITS to 0: the radix tree keys on all 64 bits (bigger root and nodes).
    CPYTHON_3_11("3.11.7", cpython("3.11").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(64)),
    // 3.12 moves the state into the interpreter (one state per own-GIL interpreter); the main state is unchanged.
    CPYTHON_3_12("3.12.1", cpython("3.12").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(64)),
    CPYTHON_3_13("3.13.0", cpython("3.13").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(64)),
    // 3.14: pymalloc as in 3.13 (pycore_obmalloc.h differs in two comments; the statistics print the same lines).
    CPYTHON_3_14("3.14.10", cpython("3.14").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(64)),
    // 3.15: as 3.14 in a default build. It advises MADV_HUGEPAGE on each new arena (gh-144353; strace shows it),
    // which places nothing differently; gh-144319 adds the build option below.
    CPYTHON_3_15("3.15.2", cpython("3.15").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(64)),
    // What-if: 3.15 built --with-pymalloc-hugepages (gh-144319, PYMALLOC_USE_HUGEPAGES) and run with
    // PYTHON_PYMALLOC_HUGEPAGES=1 (gh-144331): ARENA_BITS 21, so 2 MiB arenas of 128 16-KiB pools and a 15/15/13
    // radix split; arenas are mapped with MAP_HUGETLB, which aligns them to the 2 MiB huge page, so no pool is lost
    // to alignment. Without the run-time opt-in (or with the huge-page pool exhausted) arenas fall back to plain
    // mmap: that is --profile cpython-3.15 --arena-size 2M.
    CPYTHON_3_15_HUGEPAGES(null, AllocatorProfile.build("cpython-3.15-hugepages", "3.15 --with-pymalloc-hugepages")
            .pools(16 << 10).arenas(2 << 20).keepLastEmptyArena().radixTree(64).poolAligned());

    private final AllocatorProfile profile;
    private final String checkedAgainst;

    Profiles(String checkedAgainst, AllocatorProfile.Builder builder) {
        this.profile = builder.build();
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
        return versions().reduce((a, b) -> b).orElseThrow();
    }

    /** Returns the profile ids, oldest first, what-if builds after the version they change. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(p -> p.profile.id()).toList();
    }

    /** The profiles of CPython releases, oldest first (no what-if builds). */
    private static java.util.stream.Stream<AllocatorProfile> versions() {
        return Arrays.stream(values()).filter(p -> p.checkedAgainst != null).map(Profiles::profile);
    }

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(\\.\\d+.*)?");

    /**
     * Returns the profile called {@code id}: a profile id ({@code cpython-3.12}, {@code cpython-3.15-hugepages}), or
     * a version ({@code 3.12}, {@code 3.12.1}), which names that version's own profile, never a what-if build.
     */
    public static Optional<AllocatorProfile> byId(String id) {
        Optional<AllocatorProfile> exact = Arrays.stream(values()).map(Profiles::profile)
                .filter(p -> p.id().equals(id)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        String v = id.startsWith("cpython-") ? id.substring(8) : id;
        Matcher m = VERSION.matcher(v);
        if (!m.matches()) {
            return Optional.empty();
        }
        String minor = m.group(1) + "." + m.group(2);
        return versions().filter(p -> p.version().equals(minor)).findFirst();
    }

    /**
     * Returns the modelled release nearest to CPython {@code version} ({@code 3.16.0}, {@code 2.7.18}): the same
     * major.minor when it is modelled, else the closest release (a tie goes to the newer), else the newest for text
     * that is no version.
     */
    public static AllocatorProfile nearest(String version) {
        Matcher m = VERSION.matcher(version);
        if (!m.matches()) {
            return newest();
        }
        int wanted = rank(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        return versions().min(Comparator.comparingInt((AllocatorProfile p) -> Math.abs(rank(p) - wanted))
                .thenComparing(p -> -rank(p))).orElseThrow();
    }

    private static int rank(AllocatorProfile p) {
        String[] v = p.version().split("\\.");
        return rank(Integer.parseInt(v[0]), Integer.parseInt(v[1]));
    }

    private static int rank(int major, int minor) {
        return major * 1000 + Math.min(minor, 999);
    }
}
