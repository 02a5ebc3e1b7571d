package pyalloc.trace;

import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;

/**
 * Ids for symbolic pointer tokens ({@code obj17}) of hand-made traces: one id per token while the token names a
 * live object, so that a token can be reused after its free. Ids count up from just above
 * {@link EventBatch#NO_PTR}, far from the addresses a real allocator hands out.
 */
public final class PointerIds {
    private final Object2LongOpenHashMap<String> ids = new Object2LongOpenHashMap<>();
    private long next = EventBatch.NO_PTR + 1;

    public PointerIds() {
        ids.defaultReturnValue(EventBatch.NO_PTR);
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
