package pyalloc.replay;

import pyalloc.trace.Domain;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;

/**
 * Slot numbers for the trace's live MEM and OBJ pointers, given once for every model of a {@link Broadcast}: a
 * model replaying the trace under another configuration than the one that recorded it cannot find a block at the
 * trace's address, and looks it up by pointer; with slots each such model looks in an array, and the one hash
 * look-up per event is made once, on the reading side, instead of once per model.
 *
 * <p>Which pointers are bound is the trace's affair, not the model's: an alloc binds its pointer (again, if it was
 * live: the model reports that and frees the old block), a free unbinds it (a pointer not bound gets -1, and the
 * model reports the free of an unknown pointer), a realloc unbinds its pointer and binds its new one. So the slots
 * are the same for every model, and each model's array of blocks by slot answers exactly as its map by pointer
 * would. A freed slot is given out again first, so slots stay as few as the live pointers at most.
 */
final class PointerSlots {
    private final PointerMap slots = new PointerMap(-1);
    private int[] free = new int[1 << 10];
    private int freeCount;
    private int next;

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
            if (op > Op.REALLOC || b.domain[i] == Domain.RAW) {
                continue;  // arena rows, marks and the RAW domain have no slots
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
        int t = freeCount > 0 ? free[freeCount - 1] : next;
        long s = slots.putIfAbsent(ptr, t);
        if (s >= 0) {
            return (int) s;  // bound already: an alloc of a live pointer keeps its slot
        }
        if (freeCount > 0) {
            freeCount--;
        } else {
            next++;
        }
        return t;
    }

    private int unbind(long ptr) {
        long s = slots.remove(ptr);
        if (s >= 0) {
            if (freeCount == free.length) {
                free = java.util.Arrays.copyOf(free, 2 * freeCount);
            }
            free[freeCount++] = (int) s;
        }
        return (int) s;
    }
}
