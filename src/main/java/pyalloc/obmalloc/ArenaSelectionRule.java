package pyalloc.obmalloc;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * The arena-selection rules pyalloc can simulate, one line each. CPython's is every profile's default, so that a
 * profile with no rule named stays exact; the others are what-ifs (README, "Policies").
 */
public enum ArenaSelectionRule {
    /** CPython: pools from the most used arena first ({@code usable_arenas} by nfreepools ascending). */
    CPYTHON("cpython", UsableArenas::new),
    /** Pools from the usable arena with the lowest address. */
    ADDRESS_ORDERED("address-ordered", maxPools -> new AddressOrderedArenas()),
    /** Pools from the usable arena with the most free pools: CPython's order reversed. */
    LEAST_USED_FIRST("least-used-first", maxPools -> new LeastUsedArenas());

    private final String id;
    private final IntFunction<ArenaSelection> factory;

    ArenaSelectionRule(String id, IntFunction<ArenaSelection> factory) {
        this.id = id;
        this.factory = factory;
    }

    /** Returns the rule's name on the command line and in configuration ids. */
    public String id() {
        return id;
    }

    /** Returns the rule called {@code id}, if any. */
    public static Optional<ArenaSelectionRule> byId(String id) {
        return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
    }

    /** Returns a new instance of the rule for arenas of {@code maxPools} pools. */
    ArenaSelection create(int maxPools) {
        return factory.apply(maxPools);
    }
}
