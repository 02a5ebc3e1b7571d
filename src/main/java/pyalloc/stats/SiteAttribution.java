package pyalloc.stats;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import pyalloc.obmalloc.Allocator;
import pyalloc.obmalloc.ArenaObject;
import pyalloc.obmalloc.Pool;
import pyalloc.obmalloc.profile.AllocatorProfile;

/**
 * Which call sites own the live small blocks at one snapshot, and which of them keep arenas from going back to
 * the OS (README, "Call sites"): a walk over every block in use, O(live blocks), taken at marks and at the end of
 * a replay of a trace with sites.
 *
 * @param sites                every site with live blocks, most size-class bytes first
 * @param arenas               every allocated arena, in arena-vector order, with its top sites
 * @param pinnedArenas         arenas with live blocks under the pinned occupancy
 * @param blocksInPinnedArenas the live blocks in them
 */
public record SiteAttribution(List<SiteStats> sites, List<ArenaSites> arenas, int pinnedArenas,
        long blocksInPinnedArenas) {

    /** How many sites {@link ArenaSites#top} keeps per arena. */
    public static final int TOP_PER_ARENA = 3;

    /** One site's blocks in one arena. */
    public record Share(int site, String name, long blocks, long blockBytes) {
    }

    /**
     * One arena's top sites.
     *
     * @param slot       index in CPython's arenas vector
     * @param address    base address
     * @param pinned     the arena is pinned
     * @param liveBlocks its blocks in use
     * @param sites      how many sites its live blocks come from
     * @param top        the sites with the most size-class bytes in it, at most {@link #TOP_PER_ARENA}
     */
    public record ArenaSites(int slot, long address, boolean pinned, long liveBlocks, int sites, List<Share> top) {
    }

    /** A site's running totals during the walk. */
    private static final class Acc {
        final int site;
        long blocks;
        long requested;
        long bytes;
        int arenas;
        int pinnedArenas;
        long inPinned;
        int sole;
        /** The arena the per-arena counts are for. */
        int stamp = -1;
        long inArena;
        long inArenaBytes;

        Acc(int site) {
            this.site = site;
        }
    }

    /** Returns the attribution of the model's live blocks; {@code names} names the sites. */
    public static SiteAttribution take(Allocator a, double pinnedBelow, SiteNames names) {
        AllocatorProfile p = a.profile();
        Int2ObjectOpenHashMap<Acc> bySite = new Int2ObjectOpenHashMap<>();
        List<Acc> inArena = new ArrayList<>();
        List<ArenaSites> arenas = new ArrayList<>();
        Int2ObjectOpenHashMap<String> shortNames = new Int2ObjectOpenHashMap<>();
        int pinnedArenas = 0;
        long pinnedBlocks = 0;
        Comparator<Acc> byArenaBytes = Comparator.<Acc>comparingLong(x -> -x.inArenaBytes).thenComparingInt(x -> x.site);
        for (int i = 0; i < a.maxArenas(); i++) {
            ArenaObject ao = a.arena(i);
            if (!ao.isAllocated()) {
                continue;
            }
            boolean pinned = ArenaStats.isPinned(ao.liveBlocks(), ao.liveBlockBytes(), p.arenaSize(), pinnedBelow);
            inArena.clear();
            Acc last = null;
            for (int j = 0; j < ao.nCarvedPools(); j++) {
                Pool pool = a.pool(ao, j);
                if (pool.count() == 0) {
                    continue;
                }
                int size = p.blockSize(pool.sizeIndex());
                for (int b = 0; b < pool.nextBlock(); b++) {
                    if (!pool.blockInUse(b)) {
                        continue;
                    }
                    int site = pool.site(b);
                    Acc acc = last != null && last.site == site ? last : bySite.computeIfAbsent(site, Acc::new);
                    last = acc;
                    if (acc.stamp != i) {
                        acc.stamp = i;
                        acc.inArena = 0;
                        acc.inArenaBytes = 0;
                        inArena.add(acc);
                    }
                    acc.blocks++;
                    acc.requested += pool.requestedSize(b);
                    acc.bytes += size;
                    acc.inArena++;
                    acc.inArenaBytes += size;
                }
            }
            for (Acc acc : inArena) {
                acc.arenas++;
                if (pinned) {
                    acc.pinnedArenas++;
                    acc.inPinned += acc.inArena;
                }
            }
            if (inArena.size() == 1) {
                inArena.get(0).sole++;
            }
            if (pinned) {
                pinnedArenas++;
                pinnedBlocks += ao.liveBlocks();
            }
            inArena.sort(byArenaBytes);
            List<Share> top = new ArrayList<>();
            for (Acc acc : inArena.subList(0, Math.min(TOP_PER_ARENA, inArena.size()))) {
                String name = shortNames.computeIfAbsent(acc.site, s -> name(s, names));
                top.add(new Share(acc.site, name, acc.inArena, acc.inArenaBytes));
            }
            arenas.add(new ArenaSites(ao.slot(), ao.address(), pinned, ao.liveBlocks(), inArena.size(),
                    List.copyOf(top)));
        }
        List<SiteStats> sites = new ArrayList<>(bySite.size());
        for (Acc acc : bySite.values()) {
            sites.add(new SiteStats(acc.site, List.copyOf(names.stack(acc.site)), acc.blocks, acc.requested,
                    acc.bytes, acc.arenas, acc.pinnedArenas, acc.inPinned, acc.sole));
        }
        sites.sort(Comparator.comparingLong((SiteStats s) -> -s.blockBytes()).thenComparingInt(SiteStats::site));
        return new SiteAttribution(List.copyOf(sites), List.copyOf(arenas), pinnedArenas, pinnedBlocks);
    }

    private static String name(int site, SiteNames names) {
        List<SiteFrame> stack = names.stack(site);
        return new SiteStats(site, stack, 0, 0, 0, 0, 0, 0, 0).shortName();
    }

    /** Returns the sites with blocks in pinned arenas, most such blocks first (then most arenas held alone). */
    public List<SiteStats> pinning() {
        return sites.stream().filter(s -> s.blocksInPinnedArenas() > 0)
                .sorted(Comparator.comparingLong((SiteStats s) -> -s.blocksInPinnedArenas())
                        .thenComparingInt(s -> -s.soleArenas()).thenComparingInt(SiteStats::site))
                .toList();
    }
}
