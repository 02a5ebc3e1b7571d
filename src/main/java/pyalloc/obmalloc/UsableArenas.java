package pyalloc.obmalloc;

/**
 * CPython's arena rule: {@code usable_arenas} sorted by {@code nfreepools} ascending, so that pools come from the
 * most used arena and the least used ones can empty out (the "most used first" order of 2.5, kept since;
 * docs/obmalloc.md 3.3 and 4.3). {@code nfp2lasta} (3.8+, bpo-37257's predecessor bpo-37029) finds an arena's new
 * place in O(1); the order is the one 3.7's linear scan gave.
 */
final class UsableArenas implements ArenaSelection {
    /** {@code usable_arenas}: arenas with a free pool, sorted by nFreePools ascending. */
    private ArenaObject usableArenas;
    /** {@code nfp2lasta[n]}: the last arena in usable_arenas with n free pools. */
    private final ArenaObject[] nfp2lasta;
    /** 3.9+ keeps a wholly free arena when it is the last of usable_arenas (bpo-37257). */
    private final boolean keepLastEmptyArena;

    UsableArenas(int maxPoolsInArena, boolean keepLastEmptyArena) {
        this.nfp2lasta = new ArenaObject[maxPoolsInArena + 1];
        this.keepLastEmptyArena = keepLastEmptyArena;
    }

    @Override
    public ArenaObject next() {
        return usableArenas;
    }

    @Override
    public void mapped(ArenaObject fresh) {
        // 3.3: only when usable_arenas is empty does allocate_from_new_pool map an arena, which becomes the list.
        usableArenas = fresh;
        fresh.nextArena = null;
        fresh.prevArena = null;
        nfp2lasta[fresh.nFreePools] = fresh;
    }

    @Override
    public void poolTaken(ArenaObject a) {
        // The head lost a pool: it stops being the last with its old count, and is the last with the new one
        // (every arena after it had more free pools).
        int nf = a.nFreePools;
        if (nfp2lasta[nf + 1] == a) {
            nfp2lasta[nf + 1] = null;
        }
        if (nf > 0) {
            nfp2lasta[nf] = a;
            return;
        }
        ArenaObject next = a.nextArena;  // full: it leaves the list
        usableArenas = next;
        if (next != null) {
            next.prevArena = null;
        }
        a.nextArena = null;
    }

    @Override
    public boolean poolReturned(ArenaObject ao) {
        int nf = ao.nFreePools - 1;  // the count ao is still sorted by
        ArenaObject lastnf = nfp2lasta[nf];
        if (lastnf == ao) {
            ArenaObject p = ao.prevArena;
            nfp2lasta[nf] = p != null && p.nFreePools == nf ? p : null;
        }
        nf++;

        // Case 1: wholly free. 3.9+ keeps it when it is the last arena of usable_arenas (bpo-37257).
        if (nf == ao.nTotalPools && (ao.nextArena != null || !keepLastEmptyArena)) {
            if (ao.prevArena == null) {
                if (usableArenas == ao) {
                    usableArenas = ao.nextArena;
                }
            } else {
                ao.prevArena.nextArena = ao.nextArena;
            }
            if (ao.nextArena != null) {
                ao.nextArena.prevArena = ao.prevArena;
            }
            return true;
        }
        // Case 2: the arena was full, so it was in no list: it goes to the head.
        if (nf == 1) {
            ao.nextArena = usableArenas;
            ao.prevArena = null;
            if (usableArenas != null) {
                usableArenas.prevArena = ao;
            }
            usableArenas = ao;
            if (nfp2lasta[1] == null) {
                nfp2lasta[1] = ao;
            }
            return false;
        }
        if (nfp2lasta[nf] == null) {
            nfp2lasta[nf] = ao;
        }
        // Case 4: it was the rightmost with the old count, so it is still in order.
        if (ao == lastnf) {
            return false;
        }
        // Case 3: move it right, just after the last arena with the old count (before all with nf or more).
        if (ao.prevArena != null) {
            ao.prevArena.nextArena = ao.nextArena;
        } else {
            usableArenas = ao.nextArena;
        }
        ao.nextArena.prevArena = ao.prevArena;
        ao.prevArena = lastnf;
        ao.nextArena = lastnf.nextArena;
        if (ao.nextArena != null) {
            ao.nextArena.prevArena = ao;
        }
        lastnf.nextArena = ao;
        return false;
    }
}
