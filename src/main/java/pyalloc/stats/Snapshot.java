package pyalloc.stats;

import java.util.ArrayList;
import java.util.List;
import pyalloc.obmalloc.Allocator;
import pyalloc.obmalloc.ArenaObject;
import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * The full statistics at a {@code mark} row or at the end: everything {@code _PyObject_DebugMallocStats}
 * prints, plus per-arena detail and the metrics.md numbers.
 *
 * @param label        the mark's label, or {@code end}
 * @param event        events replayed so far
 * @param ns           trace time, or -1 when the trace has none
 * @param line         trace line of the mark, or of the event (peak); 0 at the end
 * @param meshPools    pools a Mesh-style pass could release ({@link Meshing}); {@link Meshing#UNKNOWN} if not computed
 * @param rawDomainBlocks RAW-domain blocks live (counted by the replay, never simulated)
 * @param rawDomainBytes  their bytes
 * @param sites        which call sites own the live blocks, when the trace has sites; else null
 */
public record Snapshot(
        String label,
        long event,
        long ns,
        long line,
        AllocatorProfile profile,
        Footprint footprint,
        List<ClassStats> classes,
        List<ArenaStats> arenas,
        long arenasAllocatedTotal,
        int arenasHighwater,
        int arenaMapMidNodes,
        int arenaMapBotNodes,
        int idealArenas,
        int pinnedArenas,
        int meshPools,
        long rawDomainBlocks,
        long rawDomainBytes,
        SiteAttribution sites) {

    /** The label of the snapshot after the last event. */
    public static final String END = "end";
    /** The label of the snapshot at the first event at which M reached its maximum. */
    public static final String PEAK = "peak";
    /**
     * The label of the mark a recorder writes when the program's main code has finished, before the interpreter
     * shuts down: the state a reader asks about ("what does my program hold"), not the teardown after it.
     */
    public static final String EXIT = "exit";

    /**
     * Returns a snapshot of the allocator's current state, with its Mesh count and no RAW-domain blocks;
     * {@code pinnedBelow} is the pinned-arena threshold.
     */
    public static Snapshot take(Allocator a, String label, long event, long ns, long line, double pinnedBelow) {
        return take(a, label, event, ns, line, pinnedBelow, Meshing.releasablePools(a), 0, 0);
    }

    /**
     * Returns a snapshot of the allocator's current state; {@code meshPools} is its Mesh count, already computed
     * (or {@link Meshing#UNKNOWN}), the RAW-domain numbers are the replay's.
     */
    public static Snapshot take(Allocator a, String label, long event, long ns, long line, double pinnedBelow,
            int meshPools, long rawDomainBlocks, long rawDomainBytes) {
        List<ClassStats> classes = new ArrayList<>();
        AllocatorProfile p = a.profile();
        for (int c = 0; c < a.sizeClasses(); c++) {
            long pools = a.usedPools(c);
            long inUse = a.liveBlocks(c);
            classes.add(new ClassStats(c, p.blockSize(c), pools, inUse, pools * p.blocksPerPool(c) - inUse));
        }
        List<ArenaStats> arenas = new ArrayList<>();
        int pinned = 0;
        for (int i = 0; i < a.maxArenas(); i++) {
            ArenaObject ao = a.arena(i);
            if (!ao.isAllocated()) {
                continue;
            }
            ArenaStats s = new ArenaStats(ao.slot(), ao.address(), ao.nTotalPools(), ao.usedPools(),
                    ao.emptyPools(), ao.nTotalPools() - ao.nCarvedPools(), ao.liveBlocks(), ao.liveBlockBytes(),
                    p.arenaSize());
            if (s.isPinned(pinnedBelow)) {
                pinned++;
            }
            arenas.add(s);
        }
        return new Snapshot(label, event, ns, line, p, Footprint.of(a), classes, arenas, a.ntimesArenaAllocated(),
                a.narenasHighwater(), a.arenaMapMidNodes(), a.arenaMapBotNodes(), idealArenas(a), pinned, meshPools,
                rawDomainBlocks, rawDomainBytes, null);
    }

    /** Returns this snapshot with the call-site attribution of the same moment. */
    public Snapshot withSites(SiteAttribution attribution) {
        return new Snapshot(label, event, ns, line, profile, footprint, classes, arenas, arenasAllocatedTotal,
                arenasHighwater, arenaMapMidNodes, arenaMapBotNodes, idealArenas, pinnedArenas, meshPools,
                rawDomainBlocks, rawDomainBytes, attribution);
    }

    /** Compaction bound: the arenas perfect packing of the live blocks would need (metrics.md). */
    public static int idealArenas(Allocator a) {
        AllocatorProfile p = a.profile();
        long pools = 0;
        for (int c = 0; c < a.sizeClasses(); c++) {
            int nb = p.blocksPerPool(c);
            pools += (a.liveBlocks(c) + nb - 1) / nb;
        }
        return (int) ((pools + p.maxPoolsInArena() - 1) / p.maxPoolsInArena());
    }

    /** Returns the pinned arenas in O(arenas): live blocks, occupancy below {@code pinnedBelow}. */
    public static int pinnedArenas(Allocator a, double pinnedBelow) {
        int pinned = 0;
        for (int i = 0; i < a.maxArenas(); i++) {
            ArenaObject ao = a.arena(i);
            if (ao.isAllocated()
                    && ArenaStats.isPinned(ao.liveBlocks(), ao.liveBlockBytes(), a.profile().arenaSize(), pinnedBelow)) {
                pinned++;
            }
        }
        return pinned;
    }

    public int arenasCurrent() {
        return footprint.arenas();
    }

    public long arenasReclaimed() {
        return arenasAllocatedTotal - footprint.arenas();
    }

    /** Returns the bytes a Mesh-style pass could release (mesh pools × pool size), or -1 when not computed. */
    public long meshBytes() {
        return meshPools < 0 ? -1 : (long) meshPools * profile.poolSize();
    }

    /**
     * Returns the Python heap as the trace shows it: the arenas (M), the MEM/OBJ requests pymalloc passed to
     * malloc (requested bytes) and the RAW domain's bytes.
     */
    public long heapBytes() {
        return footprint.arenaBytes() + footprint.rawBytes() + rawDomainBytes;
    }
}
