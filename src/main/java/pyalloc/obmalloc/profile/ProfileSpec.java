package pyalloc.obmalloc.profile;

import java.util.Optional;

/**
 * The profile a user asks for: a CPython version (or none: the trace's), and what-if changes to it. Resolved
 * against the trace's header by {@link #resolve}.
 *
 * @param name              {@code cpython-3.12}, {@code 3.12} or {@code 3.12.1}; null for the trace's version
 * @param arenaSize         what-if {@code ARENA_SIZE}, or null
 * @param poolSize          what-if {@code POOL_SIZE}, or null
 * @param alignment         what-if {@code ALIGNMENT} (8 or 16), or null
 * @param threshold         what-if {@code SMALL_REQUEST_THRESHOLD}, or null
 * @param poolAlignedArenas assume pool-aligned arena bases where the trace gives none
 */
public record ProfileSpec(String name, Integer arenaSize, Integer poolSize, Integer alignment, Integer threshold,
        boolean poolAlignedArenas) {

    /** The trace's own version, unchanged. */
    public static final ProfileSpec FROM_TRACE = new ProfileSpec(null, null, null, null, null, false);

    /**
     * Returns the profile for a trace recorded by CPython {@code traceVersion} (empty when the trace names no
     * interpreter); throws {@link ProfileException} for an unknown name or an impossible what-if.
     */
    public ProfileChoice resolve(Optional<String> traceVersion) {
        AllocatorProfile base;
        String note = "";
        String warning = null;
        if (name != null) {
            base = Profiles.byId(name).orElseThrow(() -> new ProfileException("unknown profile '" + name
                    + "' (expected one of " + String.join(", ", Profiles.ids()) + ")"));
        } else if (traceVersion.isEmpty()) {
            base = Profiles.newest();
            note = " (the trace names no interpreter; the newest profile; use --profile to choose)";
        } else if (Profiles.byId(traceVersion.get()).isPresent()) {
            base = Profiles.byId(traceVersion.get()).get();
            note = " (from the trace header)";
        } else {
            // Never silent: a replay under another version's allocator is a what-if, not the recorded program.
            base = Profiles.nearest(traceVersion.get());
            note = " (the trace names Python " + traceVersion.get() + ", which pyalloc does not model: the nearest)";
            warning = "the trace was recorded by Python " + traceVersion.get() + ", which pyalloc does not model;"
                    + " replaying with " + base.id() + ", the nearest (use --profile to choose)";
        }
        return new ProfileChoice(whatIf(base), note, warning);
    }

    /** Checks the name and the what-if changes before a trace is opened. */
    public void validate() {
        resolve(Optional.empty());
    }

    private AllocatorProfile whatIf(AllocatorProfile base) {
        if (arenaSize == null && poolSize == null && alignment == null && threshold == null && !poolAlignedArenas) {
            return base;
        }
        try {
            AllocatorProfile.Builder b = base.toBuilder();
            if (arenaSize != null) {
                b.arenaSize(arenaSize);
            }
            if (poolSize != null) {
                b.poolSize(poolSize);
            }
            if (alignment != null) {
                b.alignment(alignment);
            }
            if (threshold != null) {
                b.threshold(threshold);
            }
            return b.poolAlignedArenas(poolAlignedArenas).build();
        } catch (IllegalArgumentException e) {
            throw new ProfileException("what-if profile: " + e.getMessage());
        }
    }
}
