package pyalloc.obmalloc;

/**
 * What-if: pools from the usable arena with the lowest base address, the arena-level form of address-ordered first
 * fit, which Johnstone and Wilson (ISMM 1998) found among the least fragmenting policies. It packs live pools towards
 * low addresses whatever the arenas' fill, where CPython's "most used first" order (obmalloc.c, "Arena management")
 * follows the counts. Which arena is "last" for {@link KeepLastEmptyArena}: the highest usable one.
 */
final class AddressOrderedArenas extends SortedArenas {

    @Override
    long key(ArenaObject a) {
        return a.address ^ Long.MIN_VALUE;  // unsigned order of addresses
    }
}
