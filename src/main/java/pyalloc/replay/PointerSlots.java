package pyalloc.replay;

import java.util.Optional;
import pyalloc.obmalloc.WindowTable;
import pyalloc.obmalloc.profile.ProfileSpec;
import pyalloc.trace.Domain;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;
import pyalloc.trace.TraceHeader;

/**
 * Slot numbers for the trace's live MEM and OBJ pointers, given once for every model of a {@link Broadcast}: a
 * model replaying the trace under another configuration than the one that recorded it cannot find a block at the
 * trace's address, and looks it up by pointer; with slots each such model looks in an array, and the one look-up
 * per event is made once, on the reading side, instead of once per model.
 *
 * <p>Which pointers are bound is the trace's affair, not the model's: an alloc binds its pointer (again, if it was
 * live: the model reports that and frees the old block), a free unbinds it (a pointer not bound gets -1, and the
 * model reports the free of an unknown pointer), a realloc unbinds its pointer and binds its new one. So the slots
 * are the same for every model, and each model's array of blocks by slot answers exactly as its map by pointer
 * would. A freed slot is given out again first, so slots stay as few as the live pointers at most.
 *
 * <p>A pointer in one of the traced interpreter's own arenas (its {@code arena_alloc} rows) finds its slot by
 * address, as pymalloc finds a block: the arena from a table of windows, then a page of slots per 4 KiB of the
 * arena, one per 16-byte granule, made on first use. Neighbours in the traced heap are neighbours here, where a hash
 * map spends a cache miss on nearly every look-up; memory follows the pages the program used. Every other pointer
 * (declined sizes, off a granule, arenas of another size, or bound before its arena's row) is in a map.
 */
final class PointerSlots {
    private static final int GRANULE_BITS = 4;
    private static final int PAGE_BITS = 12;
    private static final int PAGE_SLOTS = 1 << (PAGE_BITS - GRANULE_BITS);

    private final PointerMap slots = new PointerMap(-1);
    /**
     * Slots released, the most recent last: given out again first. A plain array: fastutil's IntArrayList made giving
     * slots twice as slow (12 against 22 ns an event), its methods too large for the launcher's inlining limit.
     */
    private int[] free = new int[1 << 10];
    private int freeCount;
    private int next;

    /** One arena of the traced interpreter: its base and its pages of slot + 1 (0: none bound). */
    private static final class Arena {
        final long base;
        final int[][] pages;

        Arena(long base, int size) {
            this.base = base;
            this.pages = new int[(size + (1 << PAGE_BITS) - 1) >>> PAGE_BITS][];
        }
    }

    /** The arena size of the trace's first {@code arena_alloc} row (0 before it); rows of other sizes are not held. */
    private int arenaSize;
    private int windowBits;
    /** The arenas by the window their base lies in (windows of the arena size, rounded up to a power of two). */
    private final WindowTable<Arena> windows = new WindowTable<>();
    /** The arena of the last look-up: consecutive events mostly touch one. */
    private Arena last;

    /**
     * Returns true when {@code options} are the configuration that recorded the trace (its version's profile,
     * CPython's rules): its model puts every block at the trace's address and finds it there, without slots. False
     * when the trace names no version.
     */
    static boolean isRecording(ReplayOptions options, TraceHeader header) {
        return header.pythonVersion()
                .map(v -> ProfileSpec.FROM_TRACE.resolve(Optional.of(v)).profile().id().equals(options.id()))
                .orElse(false);
    }

    /** Fills {@link EventBatch#slot} and {@link EventBatch#newSlot} for the batch's MEM and OBJ events. */
    void assign(EventBatch b) {
        int n = b.count;
        if (b.slot == null || b.slot.length < n) {
            b.slot = new int[b.capacity()];
            b.newSlot = new int[b.capacity()];
        }
        int[] slot = b.slot;
        int[] newSlot = b.newSlot;
        for (int i = 0; i < n; i++) {
            byte op = b.op[i];
            if (op > Op.REALLOC) {
                if (op == Op.ARENA_ALLOC) {
                    map(b.ptr[i], b.size[i]);
                } else if (op == Op.ARENA_FREE) {
                    unmap(b.ptr[i]);
                }
                continue;  // arena rows and marks have no slots
            }
            if (b.domain[i] == Domain.RAW) {
                continue;  // nor has the RAW domain
            }
            if (op <= Op.CALLOC) {
                slot[i] = bind(b.ptr[i]);
            } else if (op == Op.FREE) {
                slot[i] = unbind(b.ptr[i]);
            } else {
                slot[i] = unbind(b.ptr[i]);
                newSlot[i] = bind(b.newPtr[i]);
            }
        }
    }

    private int bind(long ptr) {
        int[] page = page(ptr, true);
        if (page != null) {
            int s = (int) (ptr >>> GRANULE_BITS) & (PAGE_SLOTS - 1);
            if (page[s] != 0) {
                return page[s] - 1;  // bound already: an alloc of a live pointer keeps its slot
            }
            if (slots.mightContain(ptr)) {
                long t = slots.get(ptr);
                if (t >= 0) {
                    return (int) t;  // bound before its arena's row: it stays in the map
                }
            }
            int t = take();
            page[s] = t + 1;
            return t;
        }
        int t = freeCount > 0 ? free[freeCount - 1] : next;
        long s = slots.putIfAbsent(ptr, t);
        if (s >= 0) {
            return (int) s;
        }
        take();
        return t;
    }

    private int unbind(long ptr) {
        int[] page = page(ptr, false);
        if (page != null) {
            int s = (int) (ptr >>> GRANULE_BITS) & (PAGE_SLOTS - 1);
            int t = page[s] - 1;
            if (t >= 0) {
                page[s] = 0;
                release(t);
                return t;
            }
        }
        if (!slots.mightContain(ptr)) {
            return -1;
        }
        long s = slots.remove(ptr);
        if (s >= 0) {
            release((int) s);
        }
        return (int) s;
    }

    /** Returns a free slot, the most recently released first. */
    private int take() {
        return freeCount > 0 ? free[--freeCount] : next++;
    }

    private void release(int t) {
        if (freeCount == free.length) {
            free = java.util.Arrays.copyOf(free, 2 * freeCount);
        }
        free[freeCount++] = t;
    }

    /**
     * Returns the page of slots for {@code ptr}, made if {@code make}; null when {@code ptr} is in no arena held here,
     * off a granule, or (not {@code make}) on a page never written.
     */
    private int[] page(long ptr, boolean make) {
        if ((ptr & ((1 << GRANULE_BITS) - 1)) != 0 || arenaSize == 0) {
            return null;
        }
        Arena a = last;
        if (a == null || Long.compareUnsigned(ptr - a.base, arenaSize) >= 0) {
            a = find(ptr);
            if (a == null) {
                return null;
            }
            last = a;
        }
        int p = (int) ((ptr - a.base) >>> PAGE_BITS);
        int[] page = a.pages[p];
        if (page == null && make) {
            page = a.pages[p] = new int[PAGE_SLOTS];
        }
        return page;
    }

    /** Enters an arena the traced interpreter mapped, unless of another size, overlapping one, or too far away. */
    private void map(long base, long size) {
        if (arenaSize == 0) {
            if (size < 1 << PAGE_BITS || size > 1 << 30) {
                return;  // no arena of CPython's (a hand-made row): its pointers stay in the map
            }
            arenaSize = (int) size;
            windowBits = 64 - Long.numberOfLeadingZeros(size - 1);
        }
        long window = base >>> windowBits;
        // Not held (its pointers stay in the map): another size; one that wraps past the top of the address space;
        // one overlapping a held arena; one whose window is taken (an arena size that is no power of two lets two
        // arenas start in one window); one too far from the others for the table.
        if (size == arenaSize && Long.compareUnsigned(base + size - 1, base) >= 0 && find(base) == null
                && find(base + size - 1) == null && windows.get(window) == null) {
            windows.put(window, new Arena(base, arenaSize));
        }
    }

    /** Forgets an arena the traced interpreter unmapped; pointers still bound in it (missed frees) go to the map. */
    private void unmap(long base) {
        if (arenaSize == 0) {
            return;
        }
        Arena a = windows.get(base >>> windowBits);
        if (a == null || a.base != base) {
            return;
        }
        windows.put(base >>> windowBits, null);
        last = null;
        for (int p = 0; p < a.pages.length; p++) {
            int[] page = a.pages[p];
            for (int s = 0; page != null && s < PAGE_SLOTS; s++) {
                if (page[s] != 0) {
                    slots.put(base + ((long) p << PAGE_BITS) + ((long) s << GRANULE_BITS), page[s] - 1);
                }
            }
        }
    }

    /** Returns the held arena whose mapping holds {@code ptr}, or null. */
    private Arena find(long ptr) {
        long window = ptr >>> windowBits;
        Arena a = holding(windows.get(window), ptr);
        return a != null ? a : holding(windows.get(window - 1), ptr);
    }

    private Arena holding(Arena a, long ptr) {
        return a != null && Long.compareUnsigned(ptr - a.base, arenaSize) < 0 ? a : null;
    }
}
