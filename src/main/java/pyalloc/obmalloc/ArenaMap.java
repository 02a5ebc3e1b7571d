package pyalloc.obmalloc;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * The nodes of CPython's arena-map radix tree (3.10+, bpo-37448), counted as {@code _PyObject_DebugMallocStats}
 * prints them: nodes are created as arenas are mapped and never freed (docs/obmalloc.md 1.6).
 */
final class ArenaMap {
    private final int addressBits;
    private final int arenaBits;
    private final int arenaSize;
    private final int interiorBits;
    private final int bottomBits;
    /** Keys of the mid nodes and of the bottom nodes ever created. */
    private final LongOpenHashSet midNodes = new LongOpenHashSet();
    private final LongOpenHashSet botNodes = new LongOpenHashSet();

    ArenaMap(AllocatorProfile profile) {
        this.addressBits = profile.radixAddressBits();
        this.arenaBits = profile.arenaBits();
        this.arenaSize = profile.arenaSize();
        this.interiorBits = profile.radixInteriorBits();
        this.bottomBits = profile.radixBottomBits();
    }

    /** {@code arena_map_mark_used}: the slots of the base and, when unaligned, of the arena's end. */
    void markUsed(long base) {
        node(base);
        if ((base & (arenaSize - 1)) != 0) {
            node(base + arenaSize);
        }
    }

    private void node(long address) {
        long key = addressBits == 64 ? address >>> arenaBits : (address & ((1L << addressBits) - 1)) >>> arenaBits;
        midNodes.add(key >>> (bottomBits + interiorBits));  // one mid node per top index
        botNodes.add(key >>> bottomBits);                   // one bottom node per (top, mid) index
    }

    int midNodes() {
        return midNodes.size();
    }

    int botNodes() {
        return botNodes.size();
    }
}
