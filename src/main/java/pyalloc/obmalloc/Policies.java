package pyalloc.obmalloc;

/**
 * The rules an allocator follows where CPython could have chosen otherwise, layered on any profile: which arena a
 * pool comes from, which pool a block comes from. {@link #CPYTHON} is CPython's own, the default, so that a
 * profile with no policy named reproduces the interpreter exactly.
 *
 * @param arenaSelection which arena a new pool is carved from
 * @param poolReuse      which pool serves a class, which empty pool an arena reuses
 */
public record Policies(ArenaSelectionRule arenaSelection, PoolReuseRule poolReuse) {
    /** CPython's rules. */
    public static final Policies CPYTHON = new Policies(ArenaSelectionRule.CPYTHON, PoolReuseRule.CPYTHON);

    /** Returns what a configuration's id adds for these rules: empty for CPython's, else {@code +arenas-...}. */
    public String idSuffix() {
        return (arenaSelection == ArenaSelectionRule.CPYTHON ? "" : "+arenas-" + arenaSelection.id())
                + (poolReuse == PoolReuseRule.CPYTHON ? "" : "+pools-" + poolReuse.id());
    }
}
