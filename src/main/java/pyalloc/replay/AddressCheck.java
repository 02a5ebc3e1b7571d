package pyalloc.replay;

/**
 * What {@code verify} learns from a replay with {@link ReplayOptions#checkAddresses}: how many small blocks
 * landed at the address the real allocator returned.
 *
 * @param checked       small blocks whose address was compared
 * @param exact         of them, those at the trace's address
 * @param firstMismatch the first that was not, or null
 * @param realArenaRows {@code arena_alloc} rows in the trace: without them arena bases, so addresses, are unknown
 */
public record AddressCheck(long checked, long exact, Mismatch firstMismatch, long realArenaRows) {

    /** The first block whose simulated address differs from the trace's pointer. */
    public record Mismatch(long line, String op, long expected, long got) {
    }
}
