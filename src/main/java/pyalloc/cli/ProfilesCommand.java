package pyalloc.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.report.StandardOutput;

/**
 * {@code pyalloc profiles}: the allocator profiles and their parameters, as a CSV-friendly table, with the
 * interpreter each was checked against ({@code none (what-if)} for a build no interpreter here was built as).
 */
@Command(name = "profiles", mixinStandardHelpOptions = true,
        description = "Lists the CPython allocator profiles pyalloc simulates, their parameters and the"
                + " interpreter each was checked against (none for a what-if build).")
public final class ProfilesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.println("profile,alignment,size_classes,threshold,pool_size,arena_size,max_pools_per_arena,"
                + "keeps_last_empty_arena,radix_tree_bits,pool_aligned_arenas,checked_against");
        for (Profiles p : Profiles.values()) {
            AllocatorProfile a = p.profile();
            out.printf(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%d,%s,%d,%s,%s%n", a.id(), a.alignment(), a.sizeClasses(),
                    a.smallRequestThreshold(), a.poolSize(), a.arenaSize(), a.maxPoolsInArena(),
                    a.keepLastEmptyArena() ? "yes" : "no", a.radixAddressBits(), a.poolAlignedArenas() ? "yes" : "no",
                    p.checkedAgainst().orElse("none (what-if)"));
        }
        StandardOutput.check(out);  // a report that went nowhere is an I/O error
        return ExitCode.OK;
    }
}
