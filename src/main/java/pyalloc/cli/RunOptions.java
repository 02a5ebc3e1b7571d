package pyalloc.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import pyalloc.stats.Timeline;

/**
 * The options of a run that {@code replay} and {@code compare} share, declared once (a picocli mixin): how much
 * the run says, how its reports sample and judge, and what it does with anomalies and malformed rows.
 */
final class RunOptions {

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success (same as --emit none, and no notes).")
    boolean quiet;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "1000",
            description = "Timeline samples of each replayed configuration, evenly spaced over the trace (between N"
                    + " and 2N kept; default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--pinned-below", paramLabel = "PCT", defaultValue = "25",
            description = "An arena with live blocks is 'pinned' below this occupancy, in percent (default ${DEFAULT-VALUE}).")
    double pinnedBelowPct;

    /** --strict and --lenient exclude each other. */
    static final class Strictness {
        @Option(names = "--strict", description = "Stop with exit code 5 at the first anomaly (free of an unknown pointer, ...).")
        boolean strict;

        @Option(names = "--lenient", description = "Skip malformed rows (counted in the report) instead of stopping.")
        boolean lenient;
    }

    @ArgGroup(exclusive = true)
    Strictness strictness = new Strictness();

    @Option(names = "--no-progress", description = "Never show the progress line (it shows only on a terminal anyway).")
    boolean noProgress;

    /** Refuses values out of range, before anything is read (exit 2). */
    void validate() {
        if (samples < 2 || samples > Timeline.MAX_TARGET) {
            throw new PyallocException(ExitCode.USAGE, "--samples must be from 2 to " + Timeline.MAX_TARGET);
        }
        if (!(pinnedBelowPct >= 0 && pinnedBelowPct <= 100)) {
            throw new PyallocException(ExitCode.USAGE, "--pinned-below must be a percentage from 0 to 100");
        }
    }

    /** Returns --pinned-below as a fraction. */
    double pinnedBelow() {
        return pinnedBelowPct / 100;
    }

    boolean strict() {
        return strictness.strict;
    }

    boolean lenient() {
        return strictness.lenient;
    }

    /** Whether the progress line may show: not with -q or --no-progress, and only on a terminal. */
    boolean progress() {
        return !quiet && !noProgress && Progress.onTerminal();
    }
}
