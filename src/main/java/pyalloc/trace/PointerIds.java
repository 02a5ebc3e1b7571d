package pyalloc.trace;

import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;

/**
 * Ids for symbolic pointer tokens ({@code obj17}) of hand-made traces: one id per token while the token names a
 * live object, so that a token can be reused after its free. Ids count up from just above
 * {@link EventBatch#NO_PTR}, far from the addresses a real allocator hands out.
 */
public final class PointerIds {
    /**
     * Ids lie in {@code (NO_PTR, NO_PTR + 2^48)}: hex pointers {@code 0x8000000000000001} to {@code 0x8000ffffffffffff},
     * which no 64-bit machine hands out (they are not canonical addresses), so a writer can tell them apart.
     */
    private static final long LAST_ID = EventBatch.NO_PTR + (1L << 48);

    private final Object2LongOpenHashMap<String> ids = new Object2LongOpenHashMap<>();
    private long next = EventBatch.NO_PTR + 1;

    public PointerIds() {
        ids.defaultReturnValue(EventBatch.NO_PTR);
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
        long id = releasing ? ids.removeLong(token) : ids.getLong(token);
        if (id == EventBatch.NO_PTR) {
            id = next++;
            if (!releasing) {
                ids.put(token, id);
            }
        }
        return id;
    }
}
