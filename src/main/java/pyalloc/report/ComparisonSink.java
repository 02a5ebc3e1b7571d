package pyalloc.report;

import java.io.IOException;
import java.util.List;
import pyalloc.stats.RunResult;

/**
 * One output of a comparison: a file drawn from the results of every configuration, written once each has its own
 * report folder. Registered in one list (pyalloc.replay.Outputs.COMPARISON), as report outputs are.
 */
public interface ComparisonSink {

    /** Receives every configuration's result, in the order the configurations were given. */
    void onEnd(List<RunResult> results) throws IOException;

    /** Makes one output of a comparison folder. */
    @FunctionalInterface
    interface Factory {
        ComparisonSink create(ComparisonContext context) throws IOException;
    }
}
