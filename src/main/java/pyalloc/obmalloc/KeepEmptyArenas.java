package pyalloc.obmalloc;

/**
 * What-if: up to N wholly free arenas stay mapped wherever they sit in the order; the next one to empty goes back.
 * CPython keeps at most one, and only the last (bpo-37257). Tim Peters on gh-135153 (2026-04-13): keeping one empty
 * arena "increased 'committed memory', but only by the size of one arena"; allocators that free less eagerly hold
 * more, and Antoine Pitrou there: most modern allocators do so "because returning memory to the OS (sometimes only to
 * ask for more memory microseconds later) is expensive". With 2 MiB huge-page arenas (gh-144319) each kept arena
 * holds a page of the reserved huge-page pool. This rule prices that trade: thrashing avoided against bytes kept.
 */
final class KeepEmptyArenas implements ArenaRelease {
    private final int keep;

    KeepEmptyArenas(int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one arena, not " + keep);
        }
        this.keep = keep;
    }

    @Override
    public boolean release(boolean last, int emptyArenas) {
        return emptyArenas >= keep;
    }
}
