package pyalloc.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.obmalloc.profile.Profiles;

/** Which allocator to simulate: a CPython version's profile, optionally changed for a what-if run. */
final class ProfileOptions {

    @Option(names = {"-p", "--profile"}, paramLabel = "PROFILE",
            description = "CPython version to simulate: ${COMPLETION-CANDIDATES}. Default: the version in the"
                    + " trace's '# python 3.X.Y' header, else the newest.",
            completionCandidates = ProfileCandidates.class)
    String profile;

    @Option(names = "--arena-size", paramLabel = "BYTES", converter = ByteSizeConverter.class,
            description = "What-if: arena size, a power of two (e.g. 256K, 1M).")
    Integer arenaSize;

    @Option(names = "--pool-size", paramLabel = "BYTES", converter = ByteSizeConverter.class,
            description = "What-if: pool size, a power of two (e.g. 4K, 16K).")
    Integer poolSize;

    @Option(names = "--alignment", paramLabel = "8|16",
            description = "What-if: block alignment; 8 gives the 64 size classes of older and 32-bit builds.")
    Integer alignment;

    @Option(names = "--threshold", paramLabel = "BYTES", converter = ByteSizeConverter.class,
            description = "What-if: largest request pymalloc serves (SMALL_REQUEST_THRESHOLD, 512).")
    Integer threshold;

    @Option(names = "--pool-aligned-arenas",
            description = "Where the trace has no arena_alloc rows, assume arenas start on a pool boundary"
                    + " (no alignment loss) instead of a page boundary as Linux mmap gives them.")
    boolean poolAlignedArenas;

    /** picocli lists these for ${COMPLETION-CANDIDATES}. */
    static final class ProfileCandidates implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Profiles.ids().iterator();
        }
    }

    /** The profile chosen and where it came from, for the summary. */
    record Choice(AllocatorProfile profile, String note) {
    }

    /** Checks the options that need no trace, so that a bad option is reported before the trace is opened. */
    void validate() {
        resolve(List.of());
    }

    /** Resolves the profile from the options and the trace's header comments. */
    Choice resolve(List<String> headerComments) {
        AllocatorProfile base;
        String note;
        if (profile != null) {
            base = Profiles.byId(profile).orElseThrow(() -> new PyallocException(ExitCode.USAGE,
                    "unknown profile '" + profile + "' (expected one of " + String.join(", ", Profiles.ids()) + ")"));
            note = "";
        } else {
            Optional<AllocatorProfile> fromHeader = headerComments.stream().map(Profiles::fromTraceComment)
                    .flatMap(Optional::stream).findFirst();
            base = fromHeader.orElse(Profiles.newest());
            note = fromHeader.isPresent() ? " (from the trace header)"
                    : " (the trace names no interpreter; the newest profile; use --profile to choose)";
        }
        try {
            if (arenaSize != null) {
                base = base.withArenaSize(arenaSize);
            }
            if (poolSize != null) {
                base = base.withPoolSize(poolSize);
            }
            if (alignment != null) {
                if (alignment != 8 && alignment != 16) {
                    throw new IllegalArgumentException("alignment must be 8 or 16, not " + alignment);
                }
                base = base.withAlignment(alignment);
            }
            if (threshold != null) {
                base = base.withThreshold(threshold);
            }
            if (poolAlignedArenas) {
                base = base.withPoolAlignedArenas(true);
            }
        } catch (IllegalArgumentException e) {
            throw new PyallocException(ExitCode.USAGE, "what-if profile: " + e.getMessage());
        }
        return new Choice(base, note);
    }
}
