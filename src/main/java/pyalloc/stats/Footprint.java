package pyalloc.stats;

import pyalloc.obmalloc.Allocator;
import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * Where the arena bytes go at one moment: the quantities of docs/metrics.md, with
 * {@code M = B + F + E + Hd + Q + A} by construction of CPython's own formulas.
 *
 * @param requestedBytes       L: sizes the program asked for, over live small blocks
 * @param allocatedBlockBytes  B: size-class sizes of live blocks ("bytes in allocated blocks")
 * @param availableBlockBytes  F: free and never-carved blocks in used pools ("bytes in available blocks")
 * @param unusedPoolBytes      E: unused pools × pool size (empty and never-carved pools)
 * @param poolHeaderBytes      Hd: 48 bytes per used pool
 * @param quantizationBytes    Q: pool tails too small for a block
 * @param alignmentBytes       A: one pool per arena whose base is not a pool boundary
 * @param arenaBytes           M: arenas × arena size
 * @param touchedBytes         T: carved pools × pool size, a proxy for resident memory
 * @param arenas               arenas allocated now
 * @param usedPools            pools holding at least one block
 * @param rawBlocks            MEM/OBJ requests served by the raw allocator (0 bytes or over the threshold)
 * @param rawBytes             their requested bytes
 */
public record Footprint(
        long requestedBytes,
        long allocatedBlockBytes,
        long availableBlockBytes,
        long unusedPoolBytes,
        long poolHeaderBytes,
        long quantizationBytes,
        long alignmentBytes,
        long arenaBytes,
        long touchedBytes,
        int arenas,
        long usedPools,
        long rawBlocks,
        long rawBytes) {

    /** Returns the footprint of the allocator's current state, in O(size classes). */
    public static Footprint of(Allocator a) {
        AllocatorProfile p = a.profile();
        long available = 0;
        long pools = 0;
        long quantization = 0;
        for (int c = 0; c < a.sizeClasses(); c++) {
            int n = a.usedPools(c);
            pools += n;
            available += ((long) n * p.blocksPerPool(c) - a.liveBlocks(c)) * p.blockSize(c);
            quantization += (long) n * p.poolTailBytes(c);
        }
        return new Footprint(
                a.requestedBytes(),
                a.allocatedBlockBytes(),
                available,
                a.freePools() * p.poolSize(),
                pools * AllocatorProfile.POOL_OVERHEAD,
                quantization,
                (long) a.misalignedArenas() * p.poolSize(),
                (long) a.narenasCurrentlyAllocated() * p.arenaSize(),
                a.carvedPools() * p.poolSize(),
                a.narenasCurrentlyAllocated(),
                pools,
                a.rawBlocks(),
                a.rawBytes());
    }

    /** Iq = B - L: size-class rounding (internal fragmentation). */
    public long internalFragmentationBytes() {
        return allocatedBlockBytes - requestedBytes;
    }

    /** Hd + Q + A: per-pool and per-arena overhead. */
    public long overheadBytes() {
        return poolHeaderBytes + quantizationBytes + alignmentBytes;
    }

    /** Returns the bytes of pools in use: B + F + Hd + Q (= used pools × pool size). */
    public long usedPoolBytes() {
        return allocatedBlockBytes + availableBlockBytes + poolHeaderBytes + quantizationBytes;
    }

    /** util = L / M, NaN when M = 0. */
    public double util() {
        return arenaBytes == 0 ? Double.NaN : (double) requestedBytes / arenaBytes;
    }

    /** frag = M / L - 1, NaN when L = 0. */
    public double frag() {
        return requestedBytes == 0 ? Double.NaN : (double) arenaBytes / requestedBytes - 1;
    }

    /** Returns B + F + E + Hd + Q + A, which equals M in every state. */
    public long sumOfParts() {
        return allocatedBlockBytes + availableBlockBytes + unusedPoolBytes + poolHeaderBytes + quantizationBytes
                + alignmentBytes;
    }
}
