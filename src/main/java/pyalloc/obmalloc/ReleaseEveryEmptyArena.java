package pyalloc.obmalloc;

/**
 * CPython up to 3.8: every arena that becomes wholly free is unmapped at once. Since Python 2.5 arenas are given
 * back at all (obmalloc.c, "Arena management"); a loop that needs one arena more and frees it again maps and unmaps
 * an arena on every iteration, the thrashing bpo-37257 stopped in 3.9 (docs/obmalloc.md 4.4).
 */
final class ReleaseEveryEmptyArena implements ArenaRelease {

    @Override
    public boolean release(boolean last, int emptyArenas) {
        return true;
    }
}
