package pyalloc.obmalloc;

/**
 * Whether an arena that has just become wholly free goes back to the OS (docs/obmalloc.md 4.3, case 1). Consulted
 * once per arena that empties, never per block or pool.
 *
 * <p>CPython's rule depends on the version: {@link ReleaseEveryEmptyArena} up to 3.8, {@link KeepLastEmptyArena}
 * since 3.9; alternatives are named in {@link ArenaReleaseRule}.
 */
public interface ArenaRelease {

    /**
     * Returns true to unmap the arena. {@code last}: it is the last arena of the selection order
     * ({@link ArenaSelection#isLast}); {@code emptyArenas}: the other wholly free arenas mapped now.
     */
    boolean release(boolean last, int emptyArenas);
}
