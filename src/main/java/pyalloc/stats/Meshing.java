package pyalloc.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import pyalloc.obmalloc.Allocator;
import pyalloc.obmalloc.ArenaObject;
import pyalloc.obmalloc.Pool;

/**
 * Compaction potential by meshing: how many pools a Mesh-style pass could release at this moment (Powers, Tench,
 * Berger and McGregor, "Mesh: Compacting Memory Management for C/C++ Applications", PLDI 2019). Two pools of one
 * size class whose live blocks sit at different offsets can be merged into one without moving any block's
 * address (Mesh maps both virtual pages onto one physical page); the other pool is then free.
 *
 * <p>What is computed, as Mesh's SplitMesher does it (docs/metrics-compaction.md): per size class, the
 * candidates are the pools in use whose occupancy is under Mesh's cutoff of 80 % ({@code kOccupancyCutoff}),
 * in address order; they are dealt alternately into a left and a right half ({@code halfSplit}, without Mesh's
 * shuffle, so the number is reproducible); each left pool, in order, is compared with up to {@link #PROBES}
 * right pools, starting at its own index and wrapping, and paired with the first one still unpaired whose live
 * blocks it does not overlap. Each pair releases one pool. A greedy matching, not the largest possible one:
 * Mesh settles for it because finding the largest is costly, and it finds most pairs when pairs are common.
 */
public final class Meshing {
    /** Mesh's probe limit {@code t} ({@code shiftedSplitting<t = 64>}). */
    public static final int PROBES = 64;
    /** The answer when the work allowed was not enough. */
    public static final int UNKNOWN = -1;

    private Meshing() {
    }

    /**
     * The outcome of one pass: pools released ({@link #UNKNOWN} when the work allowed was not enough) and the
     * work done, in pool slots and block entries read.
     */
    public record Count(int pools, long work) {
    }

    /** Returns the pools a SplitMesher pass would release now. */
    public static int releasablePools(Allocator a) {
        return count(a, Long.MAX_VALUE).pools();
    }

    /**
     * Returns what a SplitMesher pass would release now, or {@link #UNKNOWN} pools when finding out would read
     * more than {@code budget} pool slots and block entries (checked before the costly part starts).
     */
    public static Count count(Allocator a, long budget) {
        if (a.carvedPools() > budget) {
            return new Count(UNKNOWN, 0);
        }
        List<ArenaObject> arenas = new ArrayList<>();
        for (int i = 0; i < a.maxArenas(); i++) {
            if (a.arena(i).isAllocated()) {
                arenas.add(a.arena(i));
            }
        }
        arenas.sort(Comparator.comparingLong(ArenaObject::address));
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<Pool>[] byClass = new List[a.sizeClasses()];
        long work = a.carvedPools();
        for (ArenaObject ao : arenas) {
            for (int j = 0; j < ao.nCarvedPools(); j++) {
                Pool p = a.pool(ao, j);
                if (isCandidate(p)) {
                    int c = p.sizeIndex();
                    if (byClass[c] == null) {
                        byClass[c] = new ArrayList<>();
                    }
                    byClass[c].add(p);
                    // its bitmap, and its share of the probes (at most PROBES comparisons of its words)
                    work += p.nextBlock() + (long) PROBES * words(p);
                }
            }
        }
        if (work > budget) {
            return new Count(UNKNOWN, a.carvedPools());
        }
        int released = 0;
        for (List<Pool> pools : byClass) {
            if (pools != null && pools.size() > 1) {
                released += splitMesh(pools);
            }
        }
        return new Count(released, work);
    }

    /** Mesh's candidates: pools in use under 80 % occupancy ({@code inUseCount * 5 < maxCount * 4}). */
    static boolean isCandidate(Pool p) {
        return p.count() > 0 && 5L * p.count() < 4L * p.numBlocks();
    }

    private static int words(Pool p) {
        return (p.numBlocks() + 63) >>> 6;
    }

    /** SplitMesher over one class's candidates, in address order; returns the pairs found. */
    static int splitMesh(List<Pool> pools) {
        int n = pools.size();
        long[][] left = new long[(n + 1) / 2][];
        long[][] right = new long[n / 2][];
        for (int i = 0; i < n; i++) {
            long[] bits = liveBits(pools.get(i));
            if (i % 2 == 0) {
                left[i / 2] = bits;
            } else {
                right[i / 2] = bits;
            }
        }
        int limit = Math.min(right.length, PROBES);
        boolean[] taken = new boolean[right.length];
        int pairs = 0;
        for (int j = 0; j < left.length; j++) {
            for (int i = 0; i < limit; i++) {
                int r = (j + i) % right.length;
                if (!taken[r] && disjoint(left[j], right[r])) {
                    taken[r] = true;
                    pairs++;
                    break;
                }
            }
        }
        return pairs;
    }

    /** Returns the pool's live blocks as a bitmap, one bit per block offset. */
    static long[] liveBits(Pool p) {
        long[] bits = new long[words(p)];
        for (int b = 0; b < p.nextBlock(); b++) {
            if (p.blockInUse(b)) {
                bits[b >>> 6] |= 1L << b;
            }
        }
        return bits;
    }

    static boolean disjoint(long[] x, long[] y) {
        long overlap = 0;
        for (int w = 0; w < x.length; w++) {
            overlap |= x[w] & y[w];
        }
        return overlap == 0;
    }
}
