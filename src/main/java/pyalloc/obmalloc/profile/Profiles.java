package pyalloc.obmalloc.profile;

import static pyalloc.obmalloc.profile.AllocatorProfile.cpython;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CPython versions pyalloc reproduces, one line each (docs/obmalloc.md, table 1.1). A new version is one
 * line here plus its captures under src/test/resources/cpython/, which the oracle test finds by itself.
 */
public enum Profiles {
    // 3.7.4+ (all 3.7 builds here): 16-byte alignment, bpo-27987. 4 KiB pools, 256 KiB arenas, every empty arena freed.
    CPYTHON_3_7(cpython("3.7").pools(4 << 10).arenas(256 << 10)),
    // 3.8 replaces the linear usable_arenas scan by nfp2lasta: same order, faster.
    CPYTHON_3_8(cpython("3.8").pools(4 << 10).arenas(256 << 10)),
    // 3.9 keeps one wholly free arena, the last of usable_arenas, to stop arena thrashing (bpo-37257).
    CPYTHON_3_9(cpython("3.9").pools(4 << 10).arenas(256 << 10).keepLastEmptyArena()),
    // 3.10: radix tree ownership (bpo-37448) allows 16 KiB pools in 1 MiB arenas; the tree covers 48 address bits.
    CPYTHON_3_10(cpython("3.10").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(48)),
    // 3.11 sets IGNORE_BITS to 0: the radix tree keys on all 64 bits (bigger root and nodes).
    CPYTHON_3_11(cpython("3.11").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(64)),
    // 3.12 moves the state into the interpreter (one state per own-GIL interpreter); the main state is unchanged.
    CPYTHON_3_12(cpython("3.12").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(64)),
    CPYTHON_3_13(cpython("3.13").pools(16 << 10).arenas(1 << 20).keepLastEmptyArena().radixTree(64));

    private final AllocatorProfile profile;

    Profiles(AllocatorProfile.Builder builder) {
        this.profile = builder.build();
    }

    public AllocatorProfile profile() {
        return profile;
    }

    /** Returns the newest version's profile, the default when a trace does not name its interpreter. */
    public static AllocatorProfile newest() {
        Profiles[] all = values();
        return all[all.length - 1].profile;
    }

    /** Returns the profile ids, oldest first. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(p -> p.profile.id()).toList();
    }

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(\\.\\d+.*)?");

    /** Returns the profile called {@code id} ({@code cpython-3.12}, also {@code 3.12} or {@code 3.12.1}). */
    public static Optional<AllocatorProfile> byId(String id) {
        String v = id.startsWith("cpython-") ? id.substring(8) : id;
        Matcher m = VERSION.matcher(v);
        if (!m.matches()) {
            return Optional.empty();
        }
        String minor = m.group(1) + "." + m.group(2);
        return Arrays.stream(values()).map(Profiles::profile).filter(p -> p.version().equals(minor)).findFirst();
    }

    /**
     * Returns the modelled profile nearest to CPython {@code version} ({@code 3.16.0}, {@code 2.7.18}): the same
     * major.minor when it is modelled, else the closest release, else the newest for text that is no version.
     */
    public static AllocatorProfile nearest(String version) {
        Matcher m = VERSION.matcher(version);
        if (!m.matches()) {
            return newest();
        }
        int wanted = rank(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        return Arrays.stream(values()).map(Profiles::profile)
                .min(Comparator.comparingInt((AllocatorProfile p) -> Math.abs(rank(p) - wanted))
                        .thenComparing(p -> -rank(p)))  // a tie goes to the newer
                .orElseThrow();
    }

    private static int rank(AllocatorProfile p) {
        String[] v = p.version().split("\\.");
        return rank(Integer.parseInt(v[0]), Integer.parseInt(v[1]));
    }

    private static int rank(int major, int minor) {
        return major * 1000 + Math.min(minor, 999);
    }
}
