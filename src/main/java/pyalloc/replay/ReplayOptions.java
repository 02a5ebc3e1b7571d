package pyalloc.replay;

import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * What a replay session needs to know, all in one value.
 *
 * @param profile        the allocator to simulate
 * @param samples        timeline samples wanted (the timeline keeps between this and twice this)
 * @param pinnedBelow    arena occupancy under which an arena with live blocks counts as pinned (0..1)
 * @param strict         stop at the first anomaly
 * @param checkAddresses compare every small block's simulated address with the trace's pointer (verify)
 */
public record ReplayOptions(AllocatorProfile profile, int samples, double pinnedBelow, boolean strict,
        boolean checkAddresses) {

    /** The defaults of {@code pyalloc replay}: 1000 samples, pinned below 25 %, anomalies counted. */
    public static ReplayOptions of(AllocatorProfile profile) {
        return new ReplayOptions(profile, 1000, 0.25, false, false);
    }
}
