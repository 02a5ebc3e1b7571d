package pyalloc.replay;

import pyalloc.obmalloc.Policies;
import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * What a replay session needs to know, all in one value.
 *
 * @param profile        the allocator to simulate
 * @param policies       the arena and pool rules layered on it ({@link Policies#CPYTHON}: the interpreter's own)
 * @param samples        timeline samples wanted (the timeline keeps between this and twice this)
 * @param pinnedBelow    arena occupancy under which an arena with live blocks counts as pinned (0..1)
 * @param strict         stop at the first anomaly
 * @param checkAddresses compare every small block's simulated address with the trace's pointer (verify)
 */
public record ReplayOptions(AllocatorProfile profile, Policies policies, int samples, double pinnedBelow,
        boolean strict, boolean checkAddresses) {

    /** Options with CPython's own policies. */
    public ReplayOptions(AllocatorProfile profile, int samples, double pinnedBelow, boolean strict,
            boolean checkAddresses) {
        this(profile, Policies.CPYTHON, samples, pinnedBelow, strict, checkAddresses);
    }

    /** The defaults of {@code pyalloc replay}: CPython's policies, 1000 samples, pinned below 25 %, anomalies counted. */
    public static ReplayOptions of(AllocatorProfile profile) {
        return new ReplayOptions(profile, 1000, 0.25, false, false);
    }

    /**
     * Returns the configuration's name in reports: the profile's id, and the policies that are not CPython's
     * ({@code cpython-3.12+arenas-address-ordered}).
     */
    public String id() {
        return profile.id() + policies.canonical(profile).idSuffix();
    }
}
