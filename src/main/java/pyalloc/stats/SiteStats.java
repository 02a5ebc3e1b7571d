package pyalloc.stats;

import java.util.List;

/**
 * One call site's share of the live small blocks at one snapshot (README, "Call sites").
 *
 * @param site                 the site's id in the trace (0: no Python frame was running)
 * @param stack                its frames, innermost first (empty for site 0 or an id the trace does not define)
 * @param blocks               live small blocks allocated there
 * @param requestedBytes       the bytes they asked for
 * @param blockBytes           their size-class bytes
 * @param arenas               arenas holding at least one of them
 * @param pinnedArenas         pinned arenas holding at least one of them
 * @param blocksInPinnedArenas how many of them sit in pinned arenas
 * @param soleArenas           arenas whose live blocks all come from this site: they would go back to the OS if
 *                             this site's blocks were freed
 */
public record SiteStats(int site, List<SiteFrame> stack, long blocks, long requestedBytes, long blockBytes,
        int arenas, int pinnedArenas, long blocksInPinnedArenas, int soleArenas) {

    /** Returns the innermost frame, or null for site 0 and undefined sites. */
    public SiteFrame frame() {
        return stack.isEmpty() ? null : stack.get(0);
    }

    /** Returns {@code cache.py:88 in remember}, or what stands for a site without frames. */
    public String shortName() {
        if (!stack.isEmpty()) {
            return stack.get(0).shortName();
        }
        return site == 0 ? "(no Python frame)" : "(site " + site + ": not defined)";
    }
}
