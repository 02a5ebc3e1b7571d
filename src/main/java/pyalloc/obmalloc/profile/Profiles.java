package pyalloc.obmalloc.profile;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The CPython versions pyalloc reproduces, one line each (shared/docs/obmalloc.md, table 1.1). */
public enum Profiles {
    // 3.7.4+ (all 3.7 builds here): 16-byte alignment, bpo-27987. 4 KiB pools, 256 KiB arenas, every empty arena freed.
    CPYTHON_3_7("3.7", 4, 4096, 256 << 10, false, 0),
    // 3.8 replaces the linear usable_arenas scan by nfp2lasta: same order, faster.
    CPYTHON_3_8("3.8", 4, 4096, 256 << 10, false, 0),
    // 3.9 keeps one wholly free arena, the last of usable_arenas, to stop arena thrashing (bpo-37257).
    CPYTHON_3_9("3.9", 4, 4096, 256 << 10, true, 0),
    // 3.10: radix tree ownership (bpo-37448) allows 16 KiB pools in 1 MiB arenas; the tree covers 48 address bits.
    CPYTHON_3_10("3.10", 4, 16 << 10, 1 << 20, true, 48),
    // 3.11 sets IGNORE_BITS to 0: the radix tree keys on all 64 bits (bigger root and nodes).
    CPYTHON_3_11("3.11", 4, 16 << 10, 1 << 20, true, 64),
    // 3.12 moves the state into the interpreter (one state per own-GIL interpreter); the main state is unchanged.
    CPYTHON_3_12("3.12", 4, 16 << 10, 1 << 20, true, 64),
    CPYTHON_3_13("3.13", 4, 16 << 10, 1 << 20, true, 64);

    private final AllocatorProfile profile;

    Profiles(String version, int shift, int pool, int arena, boolean keepLastEmptyArena, int radixBits) {
        this.profile = new AllocatorProfile("cpython-" + version, version, shift, 512, pool, arena,
                keepLastEmptyArena, radixBits, false);
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

    /** Returns the profile called {@code id} ({@code cpython-3.12}, also {@code 3.12} or {@code 3.12.1}). */
    public static Optional<AllocatorProfile> byId(String id) {
        String v = id.startsWith("cpython-") ? id.substring(8) : id;
        Matcher m = Pattern.compile("(\\d+\\.\\d+)(\\.\\d+.*)?").matcher(v);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Arrays.stream(values()).map(Profiles::profile)
                .filter(p -> p.version().equals(m.group(1))).findFirst();
    }

    private static final Pattern PYTHON_HEADER = Pattern.compile("^#\\s*python\\s+(\\d+\\.\\d+)(\\.\\S+)?.*$");

    /** Returns the profile named by a trace comment such as {@code # python 3.11.7}, if it is one we know. */
    public static Optional<AllocatorProfile> fromTraceComment(String commentLine) {
        Matcher m = PYTHON_HEADER.matcher(commentLine.trim());
        return m.matches() ? byId(m.group(1)) : Optional.empty();
    }
}
