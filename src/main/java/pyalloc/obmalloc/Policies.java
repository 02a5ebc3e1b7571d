package pyalloc.obmalloc;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;
import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * The rules an allocator follows where CPython could have chosen otherwise, layered on any profile: which arena a
 * pool comes from, whether a wholly free arena goes back to the OS, which pool a block comes from. {@link #CPYTHON}
 * is CPython's own, the default, so that a profile with no policy named reproduces the interpreter exactly.
 *
 * @param arenaSelection which arena a new pool is carved from
 * @param arenaRelease   whether a wholly free arena is unmapped
 * @param keepArenas     N of {@link ArenaReleaseRule#KEEP} ({@code keep-N}); 0 for the other release rules
 * @param poolReuse      which pool serves a class, which empty pool an arena reuses
 */
public record Policies(ArenaSelectionRule arenaSelection, ArenaReleaseRule arenaRelease, int keepArenas,
        PoolReuseRule poolReuse) {
    /** CPython's rules. */
    public static final Policies CPYTHON = new Policies(ArenaSelectionRule.CPYTHON, ArenaReleaseRule.CPYTHON, 0,
            PoolReuseRule.CPYTHON);

    public Policies {
        if (arenaRelease == ArenaReleaseRule.KEEP) {
            if (keepArenas < 1 || keepArenas > ArenaReleaseRule.MAX_KEEP) {
                throw new IllegalArgumentException("keep-N needs N from 1 to " + ArenaReleaseRule.MAX_KEEP);
            }
        } else {
            keepArenas = 0;
        }
    }

    /**
     * Returns the policies the three names ask for ({@code cpython} for CPython's own rule); throws
     * IllegalArgumentException, saying what is known, for a name that is not.
     */
    public static Policies of(String arenaSelection, String arenaRelease, String poolReuse) {
        ArenaSelectionRule a = ArenaSelectionRule.byId(arenaSelection).orElseThrow(() -> new IllegalArgumentException(
                "unknown arena policy '" + arenaSelection + "' (expected " + ids(ArenaSelectionRule.values(), ArenaSelectionRule::id) + ")"));
        int[] keep = new int[1];
        ArenaReleaseRule r = ArenaReleaseRule.parse(arenaRelease, keep);
        if (r == null) {
            throw new IllegalArgumentException("unknown release policy '" + arenaRelease + "' (expected "
                    + ids(ArenaReleaseRule.values(), ArenaReleaseRule::id) + ", N from 1 to " + ArenaReleaseRule.MAX_KEEP + ")");
        }
        PoolReuseRule p = PoolReuseRule.byId(poolReuse).orElseThrow(() -> new IllegalArgumentException(
                "unknown pool policy '" + poolReuse + "' (expected " + ids(PoolReuseRule.values(), PoolReuseRule::id) + ")"));
        return new Policies(a, r, keep[0], p);
    }

    private static <R extends Enum<R>> String ids(R[] rules, Function<R, String> id) {
        return Arrays.stream(rules).map(id).collect(Collectors.joining(", "));
    }

    /** Returns the release rule's name: {@code keep-4} for keep-N. */
    public String releaseId() {
        return arenaRelease == ArenaReleaseRule.KEEP ? "keep-" + keepArenas : arenaRelease.id();
    }

    /**
     * Returns these policies with a release rule that is the profile's own named as CPython's: {@code all} on 3.8,
     * {@code keep-last} on 3.9+. So a configuration has one name, and a policy that changes nothing adds none.
     */
    public Policies canonical(AllocatorProfile profile) {
        boolean own = arenaRelease == (profile.keepLastEmptyArena() ? ArenaReleaseRule.KEEP_LAST : ArenaReleaseRule.ALL);
        return own ? new Policies(arenaSelection, ArenaReleaseRule.CPYTHON, 0, poolReuse) : this;
    }

    /**
     * Returns what a configuration's id adds for these rules: empty for CPython's, else
     * {@code +arenas-address-ordered}, {@code +release-keep-4}, {@code +pools-address-ordered} as named.
     */
    public String idSuffix() {
        return (arenaSelection == ArenaSelectionRule.CPYTHON ? "" : "+arenas-" + arenaSelection.id())
                + (arenaRelease == ArenaReleaseRule.CPYTHON ? "" : "+release-" + releaseId())
                + (poolReuse == PoolReuseRule.CPYTHON ? "" : "+pools-" + poolReuse.id());
    }

    /** Returns the arena-release rule for {@code profile}. */
    ArenaRelease release(AllocatorProfile profile) {
        return arenaRelease.create(profile, keepArenas);
    }
}
