package pyalloc.obmalloc;

/**
 * CPython's arena rule: {@code usable_arenas} sorted by {@code nfreepools} ascending, so that pools come from the
 * most used arena and the least used ones can empty out. obmalloc.c says why ("Arena management", since 2.5): "the
 * next allocation will come from a heavily used arena, which gives the nearly empty arenas a chance to be returned to
 * the system. In my unscientific tests this dramatically improved the number of arenas that could be freed."
 * {@code nfp2lasta} (3.8+, bpo-37029) finds an arena's new place in O(1); the order is the one 3.7's linear scan
 * gave (docs/obmalloc.md 3.3 and 4.3). Among arenas with equal counts, the one that reached its count last comes
 * first.
 */
final class UsableArenas implements ArenaSelection {
    /** {@code usable_arenas}: arenas with a free pool, sorted by nFreePools ascending. */
    private ArenaObject usableArenas;
    /** {@code nfp2lasta[n]}: the last arena in usable_arenas with n free pools. */
    private final ArenaObject[] nfp2lasta;

    UsableArenas(int maxPoolsInArena) {
        this.nfp2lasta = new ArenaObject[maxPoolsInArena + 1];
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
    public boolean isLast(ArenaObject ao) {
        return ao.nextArena == null;  // 4.3 case 1 looks at the place before any re-sorting
    }

    /**
     * {@code ao}'s count went up: it stops being the last arena with its old count. Returns the last arena with the
     * old count as it was before ({@code lastnf}).
     */
    private ArenaObject leaveOldCount(ArenaObject ao) {
        int nf = ao.nFreePools - 1;  // the count ao is still sorted by
        ArenaObject lastnf = nfp2lasta[nf];
        if (lastnf == ao) {
            ArenaObject p = ao.prevArena;
            nfp2lasta[nf] = p != null && p.nFreePools == nf ? p : null;
        }
        return lastnf;
    }

    @Override
    public void released(ArenaObject ao) {
        leaveOldCount(ao);
        // Case 1: wholly free and not kept: it leaves usable_arenas.
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
    }

    @Override
    public void poolReturned(ArenaObject ao) {
        ArenaObject lastnf = leaveOldCount(ao);
        int nf = ao.nFreePools;
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
            return;
        }
        if (nfp2lasta[nf] == null) {
            nfp2lasta[nf] = ao;
        }
        // Case 4: it was the rightmost with the old count, so it is still in order (a kept wholly free arena too).
        if (ao == lastnf) {
            return;
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
    }
}
