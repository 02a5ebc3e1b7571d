package pyalloc.obmalloc;

/**
 * What-if: each class's {@code usedpools} list and each arena's {@code freepools} kept in address order, so the
 * lowest partially used pool serves the next block and the lowest empty pool is reused first, where CPython's
 * {@link LifoPoolReuse} prefers the most recently touched one. Address order packs blocks towards the arena's start,
 * leaving its high pools free to empty; LIFO favours the cache. Inserting walks the list (partially used pools of one
 * class, empty pools of one arena): per pool that changes list, never per block.
 */
final class AddressOrderedPoolReuse implements PoolReuse {

    @Override
    public void usableAgain(Pool[] usedPools, int c, Pool pool) {
        Pool prev = null;
        Pool next = usedPools[c];
        while (next != null && Long.compareUnsigned(next.firstBlock, pool.firstBlock) < 0) {
            prev = next;
            next = next.nextUsed;
        }
        pool.prevUsed = prev;
        pool.nextUsed = next;
        if (next != null) {
            next.prevUsed = pool;
        }
        if (prev == null) {
            usedPools[c] = pool;
        } else {
            prev.nextUsed = pool;
        }
    }

    @Override
    public void emptied(ArenaObject a, Pool pool) {
        Pool prev = null;
        Pool next = a.freePools;
        while (next != null && next.index < pool.index) {
            prev = next;
            next = next.nextFree;
        }
        pool.nextFree = next;
        if (prev == null) {
            a.freePools = pool;
        } else {
            prev.nextFree = pool;
        }
    }

    @Override
    public Pool takeEmpty(ArenaObject a) {
        Pool pool = a.freePools;
        if (pool != null) {
            a.freePools = pool.nextFree;
            pool.nextFree = null;
        }
        return pool;
    }
}
