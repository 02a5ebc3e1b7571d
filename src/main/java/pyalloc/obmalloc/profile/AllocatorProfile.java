package pyalloc.obmalloc.profile;

/**
 * The numbers and behaviour switches of one pymalloc build: everything the model needs to know
 * about a CPython version, and nothing else.
 *
 * <p>Version-dependent behaviour is a named field here, never a version test in the model (see
 * docs/obmalloc.md section 1 for the table these values come from).
 *
 * @param id                     the profile's name on the command line, e.g. {@code cpython-3.12}
 * @param version                the CPython version it describes, e.g. {@code 3.12}; or a what-if description
 * @param alignmentShift         log2 of {@code ALIGNMENT}: 4 for 16-byte size classes (3.7.4+, bpo-27987), 3 for 8-byte
 * @param smallRequestThreshold  {@code SMALL_REQUEST_THRESHOLD}: the largest request pymalloc serves (512)
 * @param poolSize               {@code POOL_SIZE} in bytes: 4 KiB up to 3.9, 16 KiB from 3.10 (bpo-37448, large pools with the radix tree)
 * @param arenaSize              {@code ARENA_SIZE} in bytes: 256 KiB up to 3.9, 1 MiB from 3.10 on 64-bit
 * @param keepLastEmptyArena     3.9+ keeps a wholly free arena when it is the last in {@code usable_arenas} (bpo-37257)
 * @param radixAddressBits       0 when ownership is {@code address_in_range} (up to 3.9); else the address bits the
 *                               3.10+ arena-map radix tree covers: 48 in 3.10, 64 from 3.11 ({@code IGNORE_BITS = 0})
 * @param poolAlignedArenas      for arenas the trace does not place (no {@code arena_alloc} rows): true to assume each
 *                               base is a multiple of the pool size (no alignment loss), false for page-aligned
 *                               bases as Linux mmap gives them (one pool lost per arena when pools exceed 4 KiB)
 */
public record AllocatorProfile(
        String id,
        String version,
        int alignmentShift,
        int smallRequestThreshold,
        int poolSize,
        int arenaSize,
        boolean keepLastEmptyArena,
        int radixAddressBits,
        boolean poolAlignedArenas) {

    /** {@code POOL_OVERHEAD}: sizeof(struct pool_header), 48 bytes on 64-bit, already a multiple of 8 and 16. */
    public static final int POOL_OVERHEAD = 48;
    /** The page size mmap aligns arenas to on Linux. */
    public static final int PAGE_SIZE = 4096;
    /** The largest threshold a what-if profile may use: requested sizes of small blocks are packed in 15 bits. */
    public static final int MAX_THRESHOLD = 16384;

    public AllocatorProfile {
        if (alignmentShift != 3 && alignmentShift != 4) {
            throw new IllegalArgumentException("alignment must be 8 or 16 bytes");
        }
        if (!isPowerOfTwo(poolSize) || poolSize < 1024 || poolSize > (1 << 20)) {
            throw new IllegalArgumentException("pool size must be a power of two from 1024 to 1048576 bytes, not " + poolSize);
        }
        // Two pools at least: an arena whose base is not on a pool boundary loses one (new_arena), and must keep
        // one to serve from (with one, CPython would carve a pool past the arena's end).
        if (!isPowerOfTwo(arenaSize) || arenaSize / poolSize < 2 || arenaSize / poolSize > 4096) {
            throw new IllegalArgumentException("arena size must be a power of two holding 2 to 4096 pools of "
                    + poolSize + " bytes, not " + arenaSize);
        }
        int alignment = 1 << alignmentShift;
        if (smallRequestThreshold < alignment || smallRequestThreshold > MAX_THRESHOLD
                || smallRequestThreshold % alignment != 0) {
            throw new IllegalArgumentException("threshold must be a multiple of " + alignment + " from " + alignment
                    + " to " + MAX_THRESHOLD + ", not " + smallRequestThreshold);
        }
        if ((poolSize - POOL_OVERHEAD) / smallRequestThreshold < 2) {
            throw new IllegalArgumentException("a " + poolSize + "-byte pool must hold at least two "
                    + smallRequestThreshold + "-byte blocks");
        }
    }

    private static boolean isPowerOfTwo(int n) {
        return n > 0 && (n & (n - 1)) == 0;
    }

    /** Returns {@code ALIGNMENT} in bytes. */
    public int alignment() {
        return 1 << alignmentShift;
    }

    /** Returns {@code NB_SMALL_SIZE_CLASSES}. */
    public int sizeClasses() {
        return smallRequestThreshold >> alignmentShift;
    }

    /** Returns {@code MAX_POOLS_IN_ARENA}. */
    public int maxPoolsInArena() {
        return arenaSize / poolSize;
    }

    /** Returns the block size of size class {@code c} ({@code INDEX2SIZE}). */
    public int blockSize(int c) {
        return (c + 1) << alignmentShift;
    }

    /** Returns {@code NUMBLOCKS(c)}: how many blocks of class {@code c} one pool holds. */
    public int blocksPerPool(int c) {
        return (poolSize - POOL_OVERHEAD) / blockSize(c);
    }

    /** Returns the bytes at the end of a pool of class {@code c} too small for another block (quantization). */
    public int poolTailBytes(int c) {
        return (poolSize - POOL_OVERHEAD) % blockSize(c);
    }

    /** Returns true when 3.10+'s radix tree decides ownership, so the stats show "arena map" lines. */
    public boolean hasRadixTree() {
        return radixAddressBits != 0;
    }

    /** Returns log2 of the arena size ({@code ARENA_BITS}). */
    public int arenaBits() {
        return Integer.numberOfTrailingZeros(arenaSize);
    }

    /**
     * Returns the bits of the radix tree's top and mid levels ({@code INTERIOR_BITS}): an arena-slot key of
     * {@code radixAddressBits - arenaBits} bits is split top / mid / bottom, 10/10/8 in 3.10, 15/15/14 from 3.11.
     */
    public int radixInteriorBits() {
        return (radixAddressBits - arenaBits() + 2) / 3;
    }

    /** Returns the bits of the radix tree's bottom level ({@code MAP_BOT_BITS}). */
    public int radixBottomBits() {
        return radixAddressBits - arenaBits() - 2 * radixInteriorBits();
    }

    /**
     * Returns a builder for a CPython version's profile ({@code cpython-3.X}) with the defaults every modelled
     * version shares: 16-byte alignment, a 512-byte threshold, every empty arena released, no radix tree,
     * page-aligned arena bases where the trace gives none.
     */
    public static Builder cpython(String version) {
        return new Builder("cpython-" + version, version);
    }

    /** Returns a builder for a named build of CPython {@code version} that is not a release's default. */
    public static Builder build(String id, String version) {
        return new Builder(id, version);
    }

    /**
     * Returns this profile under another name: the same numbers and switches, named for a configuration that
     * layers what-if policies on it ({@code cpython-3.12+arenas-address-ordered}).
     */
    public AllocatorProfile withId(String newId) {
        return new AllocatorProfile(newId, version, alignmentShift, smallRequestThreshold, poolSize, arenaSize,
                keepLastEmptyArena, radixAddressBits, poolAlignedArenas);
    }

    /** Returns a builder starting from this profile, for a what-if variant; each change is named in the id. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a profile field by field. What-if changes ({@link #arenaSize}, ...) append their name to the id
     * ({@code cpython-3.12+pool4096}) so that reports say what was simulated; {@link #build} checks the whole.
     */
    public static final class Builder {
        private String id;
        private final String version;
        private int alignmentShift = 4;
        private int smallRequestThreshold = 512;
        private int poolSize = 4096;
        private int arenaSize = 256 << 10;
        private boolean keepLastEmptyArena;
        private int radixAddressBits;
        private boolean poolAlignedArenas;

        private Builder(String id, String version) {
            this.id = id;
            this.version = version;
        }

        private Builder(AllocatorProfile p) {
            this(p.id, p.version);
            alignmentShift = p.alignmentShift;
            smallRequestThreshold = p.smallRequestThreshold;
            poolSize = p.poolSize;
            arenaSize = p.arenaSize;
            keepLastEmptyArena = p.keepLastEmptyArena;
            radixAddressBits = p.radixAddressBits;
            poolAlignedArenas = p.poolAlignedArenas;
        }

        /** Sets {@code POOL_SIZE}. */
        public Builder pools(int bytes) {
            poolSize = bytes;
            return this;
        }

        /** Sets {@code ARENA_SIZE}. */
        public Builder arenas(int bytes) {
            arenaSize = bytes;
            return this;
        }

        /** Keeps a wholly free arena when it is the last of usable_arenas (3.9+, bpo-37257). */
        public Builder keepLastEmptyArena() {
            keepLastEmptyArena = true;
            return this;
        }

        /** Ownership by the 3.10+ radix tree over {@code bits} address bits (bpo-37448). */
        public Builder radixTree(int bits) {
            radixAddressBits = bits;
            return this;
        }

        /** Arena bases on a pool boundary where the trace does not give them (a build that maps them so). */
        public Builder poolAligned() {
            poolAlignedArenas = true;
            return this;
        }

        /** What-if: another arena size. */
        public Builder arenaSize(int bytes) {
            arenaSize = bytes;
            return whatIf("arena" + bytes);
        }

        /** What-if: another pool size. */
        public Builder poolSize(int bytes) {
            poolSize = bytes;
            return whatIf("pool" + bytes);
        }

        /** What-if: 8- or 16-byte size classes. */
        public Builder alignment(int bytes) {
            if (bytes != 8 && bytes != 16) {
                throw new IllegalArgumentException("alignment must be 8 or 16, not " + bytes);
            }
            alignmentShift = Integer.numberOfTrailingZeros(bytes);
            return whatIf("align" + bytes);
        }

        /** What-if: another small-request threshold. */
        public Builder threshold(int bytes) {
            smallRequestThreshold = bytes;
            return whatIf("threshold" + bytes);
        }

        /** What-if: pool-aligned arena bases where the trace does not give them. */
        public Builder poolAlignedArenas(boolean aligned) {
            if (aligned == poolAlignedArenas) {
                return this;
            }
            poolAlignedArenas = aligned;
            return whatIf("pool-aligned-arenas");
        }

        private Builder whatIf(String change) {
            id = id + "+" + change;
            return this;
        }

        /** Returns the profile; throws IllegalArgumentException when the numbers do not make a pymalloc. */
        public AllocatorProfile build() {
            return new AllocatorProfile(id, version, alignmentShift, smallRequestThreshold, poolSize, arenaSize,
                    keepLastEmptyArena, radixAddressBits, poolAlignedArenas);
        }
    }
}
