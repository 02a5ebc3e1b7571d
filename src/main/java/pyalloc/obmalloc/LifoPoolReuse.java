package pyalloc.obmalloc;

/**
 * CPython's pool rule: a pool that stops being full goes to the front of its class's {@code usedpools} list
 * ({@code insert_to_usedpool}), and an arena's {@code freepools} is a stack, most recently emptied first; both
 * keep the most recently touched memory in use (docs/obmalloc.md 3.3, 4.2).
 */
final class LifoPoolReuse implements PoolReuse {

    @Override
    public void usableAgain(Pool[] usedPools, int c, Pool pool) {
        Pool head = usedPools[c];
        pool.nextUsed = head;
        pool.prevUsed = null;
        if (head != null) {
            head.prevUsed = pool;
        }
        usedPools[c] = pool;
    }

    @Override
    public void emptied(ArenaObject a, Pool pool) {
        pool.nextFree = a.freePools;
        a.freePools = pool;
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
