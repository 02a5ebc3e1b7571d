package pyalloc.cli;

import picocli.CommandLine.Option;
import pyalloc.obmalloc.profile.ProfileSpec;
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

    /** Returns the request these options make, to be resolved against a trace's header. */
    ProfileSpec spec() {
        ProfileSpec spec = new ProfileSpec(profile, arenaSize, poolSize, alignment, threshold, poolAlignedArenas);
        spec.validate();  // a bad option is reported before the trace is opened
        return spec;
    }
}
