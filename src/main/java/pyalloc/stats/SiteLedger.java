package pyalloc.stats;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.util.Arrays;

/**
 * Live small blocks per call site, kept up to date event by event by a replay of a trace with sites: what the
 * site timeline samples without walking the blocks. Sites are small dense ids in recorded traces, so they find
 * their slot through an array; larger ids (hand-made traces) through a map.
 */
public final class SiteLedger {
    private static final int DIRECT = 1 << 22;

    /** Site + 1 to its slot + 1 for sites under {@link #DIRECT}; 0: no slot yet. */
    private int[] directSlot = new int[1024];
    private final Int2IntOpenHashMap farSlot = new Int2IntOpenHashMap();
    private int[] siteOfSlot = new int[64];
    private long[] blocks = new long[64];
    private long[] blockBytes = new long[64];
    private long[] requestedBytes = new long[64];
    private int slots;

    public SiteLedger() {
        farSlot.defaultReturnValue(-1);
    }

    private int slot(int site) {
        if (site >= 0 && site < DIRECT) {
            if (site >= directSlot.length) {
                directSlot = Arrays.copyOf(directSlot, Math.max(site + 1, directSlot.length * 2));
            }
            int s = directSlot[site] - 1;
            if (s < 0) {
                s = newSlot(site);
                directSlot[site] = s + 1;
            }
            return s;
        }
        int s = farSlot.get(site);
        if (s < 0) {
            s = newSlot(site);
            farSlot.put(site, s);
        }
        return s;
    }

    private int newSlot(int site) {
        if (slots == blocks.length) {
            int n = slots * 2;
            blocks = Arrays.copyOf(blocks, n);
            blockBytes = Arrays.copyOf(blockBytes, n);
            requestedBytes = Arrays.copyOf(requestedBytes, n);
            siteOfSlot = Arrays.copyOf(siteOfSlot, n);
        }
        siteOfSlot[slots] = site;
        return slots++;
    }

    /** A block of {@code bytes} size-class bytes ({@code requested} asked for) was allocated at {@code site}. */
    public void add(int site, int bytes, long requested) {
        int s = slot(site);
        blocks[s]++;
        blockBytes[s] += bytes;
        requestedBytes[s] += requested;
    }

    /** A block of {@code site} went away. */
    public void remove(int site, int bytes, long requested) {
        int s = slot(site);
        blocks[s]--;
        blockBytes[s] -= bytes;
        requestedBytes[s] -= requested;
    }

    /** Returns the slots in use: sites seen so far, in order of first appearance. */
    public int slots() {
        return slots;
    }

    /** Returns the site of slot {@code s}. */
    public int site(int s) {
        return siteOfSlot[s];
    }

    public long blocks(int s) {
        return blocks[s];
    }

    public long blockBytes(int s) {
        return blockBytes[s];
    }

    public long requestedBytes(int s) {
        return requestedBytes[s];
    }

    /** What {@link #forEach} calls back with, for every site with live blocks. */
    @FunctionalInterface
    public interface Visitor {
        void visit(int site, long blocks, long blockBytes, long requestedBytes);
    }

    /** Calls {@code v} for every site with live blocks, in order of first appearance. */
    public void forEach(Visitor v) {
        for (int s = 0; s < slots; s++) {
            if (blocks[s] != 0) {
                v.visit(siteOfSlot[s], blocks[s], blockBytes[s], requestedBytes[s]);
            }
        }
    }
}
