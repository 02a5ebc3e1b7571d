package pyalloc.cli;

import java.util.Arrays;
import picocli.CommandLine.Option;
import pyalloc.obmalloc.ArenaReleaseRule;
import pyalloc.obmalloc.ArenaSelectionRule;
import pyalloc.obmalloc.Policies;
import pyalloc.obmalloc.PoolReuseRule;

/**
 * Which rules the simulated allocator follows where CPython could have chosen otherwise (README, "Policies"). The
 * default of each is CPython's own, so a replay with none named is exact. {@code verify} has none: it proves
 * CPython's rules.
 */
final class PolicyOptions {

    @Option(names = "--arena-policy", paramLabel = "RULE", defaultValue = "cpython",
            completionCandidates = ArenaRules.class,
            description = "What-if: which arena a new pool comes from: ${COMPLETION-CANDIDATES} (default: cpython,"
                    + " the most used arena first).")
    String arenaPolicy;

    @Option(names = "--release-policy", paramLabel = "RULE", defaultValue = "cpython",
            completionCandidates = ReleaseRules.class,
            description = "What-if: whether a wholly free arena is unmapped: ${COMPLETION-CANDIDATES} (default: cpython,"
                    + " the profile's own: all up to 3.8, keep-last since 3.9).")
    String releasePolicy;

    @Option(names = "--pool-policy", paramLabel = "RULE", defaultValue = "cpython",
            completionCandidates = PoolRules.class,
            description = "What-if: which pool of a size class serves next: ${COMPLETION-CANDIDATES} (default: cpython,"
                    + " the last one to get a block back).")
    String poolPolicy;

    /** Returns the policies named; a bad name is a usage error. */
    Policies policies() {
        return parse(arenaPolicy, releasePolicy, poolPolicy);
    }

    /** Returns the policies the three names ask for; a bad name is a usage error. */
    static Policies parse(String arenaPolicy, String releasePolicy, String poolPolicy) {
        try {
            return Policies.of(arenaPolicy, releasePolicy, poolPolicy);
        } catch (IllegalArgumentException e) {
            throw new PyallocException(ExitCode.USAGE, e.getMessage());
        }
    }

    /** picocli lists these for ${COMPLETION-CANDIDATES}. */
    static final class ArenaRules implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(ArenaSelectionRule.values()).map(ArenaSelectionRule::id).iterator();
        }
    }

    static final class ReleaseRules implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(ArenaReleaseRule.values()).map(ArenaReleaseRule::id).iterator();
        }
    }

    static final class PoolRules implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Arrays.stream(PoolReuseRule.values()).map(PoolReuseRule::id).iterator();
        }
    }
}
