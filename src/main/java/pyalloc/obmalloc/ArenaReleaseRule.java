package pyalloc.obmalloc;

import java.util.Arrays;
import java.util.OptionalInt;
import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * The arena-release rules pyalloc can simulate, one line each. CPython's, the default, is the profile's own (every
 * empty arena released up to 3.8, the last one kept since 3.9), so that a profile with no rule named stays exact;
 * the others are what-ifs (README, "Policies"). {@link #KEEP} takes a count: {@code keep-2}.
 */
public enum ArenaReleaseRule {
    /** CPython: the profile's rule ({@link AllocatorProfile#keepLastEmptyArena}). */
    CPYTHON("cpython", (p, n) -> p.keepLastEmptyArena() ? new KeepLastEmptyArena() : new ReleaseEveryEmptyArena()),
    /** Every wholly free arena goes back at once, as up to 3.8. */
    ALL("all", (p, n) -> new ReleaseEveryEmptyArena()),
    /** A wholly free arena is kept while it is the last of the order, as since 3.9 (bpo-37257). */
    KEEP_LAST("keep-last", (p, n) -> new KeepLastEmptyArena()),
    /** Up to N wholly free arenas are kept, wherever they sit. */
    KEEP("keep-N", (p, n) -> new KeepEmptyArenas(n));

    /** The largest N of {@code keep-N}: more than any trace has arenas. */
    public static final int MAX_KEEP = 1 << 20;

    /** Makes the rule for a profile, with KEEP's count. */
    @FunctionalInterface
    interface Factory {
        ArenaRelease create(AllocatorProfile profile, int keep);
    }

    private final String id;
    private final Factory factory;

    ArenaReleaseRule(String id, Factory factory) {
        this.id = id;
        this.factory = factory;
    }

    /** Returns the rule's name on the command line ({@code keep-N} for {@link #KEEP}). */
    public String id() {
        return id;
    }

    /**
     * Returns the rule {@code id} names and, for {@code keep-N}, N in {@code keep[0]}; null for an unknown name or
     * an N outside 1..{@link #MAX_KEEP}.
     */
    public static ArenaReleaseRule parse(String id, int[] keep) {
        if (id.startsWith("keep-") && !id.equals(KEEP_LAST.id)) {
            OptionalInt n = count(id.substring(5));
            if (n.isEmpty()) {
                return null;
            }
            keep[0] = n.getAsInt();
            return KEEP;
        }
        keep[0] = 0;
        return Arrays.stream(values()).filter(r -> r != KEEP && r.id.equals(id)).findFirst().orElse(null);
    }

    private static OptionalInt count(String digits) {
        if (digits.isEmpty() || digits.length() > 7 || !digits.chars().allMatch(Character::isDigit)) {
            return OptionalInt.empty();
        }
        int n = Integer.parseInt(digits);
        return n >= 1 && n <= MAX_KEEP ? OptionalInt.of(n) : OptionalInt.empty();
    }

    /** Returns a new instance of the rule for {@code profile}; {@code keep} is KEEP's N. */
    ArenaRelease create(AllocatorProfile profile, int keep) {
        return factory.create(profile, keep);
    }
}
