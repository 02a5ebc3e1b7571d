package pyalloc.obmalloc;

/**
 * Block handles: one {@code long} per live block, so the replay's pointer map stays primitive.
 *
 * <p>A small block packs the size the program asked for (15 bits), its pool (31 bits: arena slot × pools per
 * arena + pool index) and its index in the pool (17 bits: a 1 MiB what-if pool holds 131,066 8-byte blocks);
 * a raw block (bit 63 set) packs only its requested size.
 */
public final class Block {
    /** A value no block handle ever takes: the requested-size field of a small block never reaches 32767. */
    public static final long NONE = Long.MAX_VALUE;
    static final long MAX_POOL_ID = (1L << 31) - 1;
    private static final long RAW = Long.MIN_VALUE;

    private Block() {
    }

    static long small(int poolId, int blockIndex, int requested) {
        return ((long) requested << 48) | ((long) poolId << 17) | blockIndex;
    }

    static long raw(long requested) {
        return RAW | requested;
    }

    /** Returns true when the block came from the raw allocator (0 bytes, over the threshold, or raw realloc). */
    public static boolean isRaw(long block) {
        return block < 0;
    }

    static long rawSize(long block) {
        return block & ~RAW;
    }

    static int poolId(long block) {
        return (int) (block >>> 17) & (int) MAX_POOL_ID;
    }

    static int blockIndex(long block) {
        return (int) block & 0x1ffff;
    }

    /** Returns the size the program asked for. */
    public static long requestedSize(long block) {
        return isRaw(block) ? rawSize(block) : block >>> 48;
    }

    /** Returns true when two handles name the same block, whatever size each says was asked for. */
    public static boolean sameBlock(long a, long b) {
        return ((a ^ b) & 0xffff_ffff_ffffL) == 0 && (a < 0) == (b < 0);
    }

    static long withRequestedSize(long block, int requested) {
        return (block & 0xffff_ffff_ffffL) | ((long) requested << 48);
    }
}
