package pyalloc.obmalloc;

import java.util.function.BiFunction;

/**
 * The arena-selection rules pyalloc can simulate, one line each. CPython's is every profile's default, so that a
 * profile with no rule named stays exact; the others are what-ifs (docs/obmalloc.md, "Policies").
 */
public enum ArenaSelectionRule {
    /** CPython: pools from the most used arena first ({@code usable_arenas} by nfreepools ascending). */
    CPYTHON("cpython", (maxPools, keepLast) -> new UsableArenas(maxPools, keepLast));

    private final String id;
    private final BiFunction<Integer, Boolean, ArenaSelection> factory;

    ArenaSelectionRule(String id, BiFunction<Integer, Boolean, ArenaSelection> factory) {
        this.id = id;
        this.factory = factory;
    }

    /** Returns the rule's name on the command line and in profile ids. */
    public String id() {
        return id;
    }

    /** Returns a new instance of the rule for arenas of {@code maxPools} pools. */
    ArenaSelection create(int maxPools, boolean keepLastEmptyArena) {
        return factory.apply(maxPools, keepLastEmptyArena);
    }
}
