package pyalloc.obmalloc;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The pool-reuse rules pyalloc can simulate, one line each. CPython's is every profile's default, so that a
 * profile with no rule named stays exact; the others are what-ifs (README, "Policies").
 */
public enum PoolReuseRule {
    /** CPython: the pool that last stopped being full serves next; an arena reuses its last emptied pool first. */
    CPYTHON("cpython", LifoPoolReuse::new),
    /** The lowest partially used pool serves next; an arena reuses its lowest empty pool first. */
    ADDRESS_ORDERED("address-ordered", AddressOrderedPoolReuse::new);

    private final String id;
    private final Supplier<PoolReuse> factory;

    PoolReuseRule(String id, Supplier<PoolReuse> factory) {
        this.id = id;
        this.factory = factory;
    }

    /** Returns the rule's name on the command line and in configuration ids. */
    public String id() {
        return id;
    }

    /** Returns the rule called {@code id}, if any. */
    public static Optional<PoolReuseRule> byId(String id) {
        return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
    }

    /** Returns a new instance of the rule. */
    PoolReuse create() {
        return factory.get();
    }
}
