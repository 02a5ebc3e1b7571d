package pyalloc.obmalloc;

/**
 * CPython 3.9+: a wholly free arena is kept when it is the last arena of {@code usable_arenas}, else unmapped
 * (bpo-37257, gh-81438, GH-14039: "allow (no more than) one wholly empty arena on the usable_arenas list", so that
 * a loop using and freeing one arena per iteration no longer maps and unmaps it each time; "if the only arena on the
 * list becomes empty, it makes scant sense to give it back to the system unless we know we'll never need another
 * free pool again"). The place is taken before the arena is re-sorted, so an arena that empties while others follow
 * it goes back even when no empty arena is kept. Under CPython's order a wholly free arena sorts last, so one is kept
 * at a time; under another order ({@link ArenaSelectionRule}) each arena that is last when it empties is kept.
 */
final class KeepLastEmptyArena implements ArenaRelease {

    @Override
    public boolean release(boolean last, int emptyArenas) {
        return !last;
    }
}
