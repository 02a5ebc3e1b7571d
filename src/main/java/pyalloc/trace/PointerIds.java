package pyalloc.trace;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;

/**
 * Pointer ids for what a 64-bit value cannot stand for itself: symbolic tokens ({@code obj17}) of hand-made
 * traces, and numbers in the upper half of the address space (bit 63 set) while a token's id is that number.
 *
 * <p>Every 64-bit value is a pointer, and a pointer's id is its value, so tokens take ids that no live pointer
 * has: from just above 0x8000000000000000 up, skipping the ids bound now. A reader sends every pointer with bit
 * 63 set here (the fast paths decline them, at no cost: a sign test where there was a comparison), so the ids
 * of the upper half are given out in one place and no two live pointers share one. Lower-half pointers, all
 * that real allocators hand out, never come here.
 *
 * <p>A token (and an upper-half number) is bound from the alloc that names it until the free that releases it,
 * so a token can be reused after its free.
 */
public final class PointerIds {
    /**
     * Token ids lie in {@code (NO_PTR, NO_PTR + 2^48)}: hex pointers {@code 0x8000000000000001} to
     * {@code 0x8000ffffffffffff}, which no 64-bit machine hands out (they are not canonical addresses), so that a
     * writer can tell them apart ({@link #isId}; a pointer of the trace in that range is written back as a token,
     * the same pointer still).
     */
    private static final long LAST_ID = EventBatch.NO_PTR + (1L << 48);
    private static final long NONE = EventBatch.NO_PTR;
    private final Object2LongOpenHashMap<String> tokens = new Object2LongOpenHashMap<>();
    /** Upper-half numbers bound now, and their ids: the number itself unless a token held it when it was bound. */
    private final Long2LongOpenHashMap numbers = new Long2LongOpenHashMap();
    /** Every id bound now, to a token or an upper-half number. */
    private final LongOpenHashSet bound = new LongOpenHashSet();
    private long next = NONE + 1;

    public PointerIds() {
        tokens.defaultReturnValue(NONE);
    }

    /** Returns true when {@code ptr} is an id this class hands out for a symbolic token, not an address. */
    public static boolean isId(long ptr) {
        return ptr > EventBatch.NO_PTR && ptr < LAST_ID;
    }

    /**
     * Returns a token for id {@code ptr} ({@code sym1}, {@code sym2}, ...): a trace that names its pointers by these
     * tokens reads back with the same ids, since ids are handed out in the order tokens are first bound.
     */
    public static String token(long ptr) {
        return "sym" + (ptr - EventBatch.NO_PTR);
    }

    /**
     * Returns the id of {@code token}: the one it was given when it was bound, else a new one. With
     * {@code releasing} (a free, or the old pointer of a moving realloc) the token is unbound.
     */
    public long id(String token, boolean releasing) {
        if (releasing) {
            if (tokens.containsKey(token)) {
                long id = tokens.removeLong(token);
                bound.remove(id);
                return id;
            }
            return fresh();  // a free of a token never bound: an id no live pointer has (the replay says so)
        }
        long id = tokens.getLong(token);
        if (id == NONE && !tokens.containsKey(token)) {
            id = fresh();
            tokens.put(token, id);
            bound.add(id);
        }
        return id;
    }

    /**
     * Returns the id of pointer {@code value} (bit 63 set): {@code value} itself, unless a token's id is that
     * value, and then another one until the pointer is released.
     */
    public long id(long value, boolean releasing) {
        if (numbers.containsKey(value)) {
            long id = releasing ? numbers.remove(value) : numbers.get(value);
            if (releasing) {
                bound.remove(id);
            }
            return id;
        }
        long id = bound.contains(value) ? fresh() : value;
        if (!releasing) {
            numbers.put(value, id);
            bound.add(id);
        }
        return id;
    }

    /** Returns an id of the upper half that nothing is bound to, and that no token will be given later. */
    private long fresh() {
        while (bound.contains(next)) {
            next++;
        }
        return next++;
    }
}
