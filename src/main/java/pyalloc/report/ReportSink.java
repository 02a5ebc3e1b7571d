package pyalloc.report;

import java.io.IOException;
import pyalloc.obmalloc.Allocator;
import pyalloc.stats.RunResult;
import pyalloc.stats.Snapshot;

/**
 * One output of a replay: a report file, a chart, a text on standard output, a check. The replay feeds every
 * registered sink the same calls, in registration order, on the replaying thread.
 *
 * <p>Every method has an empty default, so a sink implements only what it uses.
 */
public interface ReportSink {

    /** Receives the full snapshot taken at a {@code mark} row, in trace order. */
    default void onMark(Snapshot snapshot) throws IOException {
    }

    /**
     * Receives the model at a timeline sample (evenly spaced over the trace, whatever its length). The model is
     * read-only for sinks and valid only during the call.
     */
    default void onSample(long event, long clock, Allocator model) {
    }

    /** Receives the events replayed so far, after every batch (a few thousand events). */
    default void onProgress(long events) {
    }

    /** Receives the finished run; report files are complete when it returns. */
    default void onEnd(RunResult result) throws IOException {
    }

    /** Makes one output of a report folder; registered in one list (pyalloc.replay.Outputs). */
    @FunctionalInterface
    interface Factory {
        ReportSink create(ReportContext context) throws java.io.IOException;
    }

    /** Returns a sink that forwards every call to {@code sinks}, in order. */
    static ReportSink all(java.util.List<? extends ReportSink> sinks) {
        ReportSink[] s = sinks.toArray(ReportSink[]::new);
        return new ReportSink() {
            @Override
            public void onMark(Snapshot snapshot) throws IOException {
                for (ReportSink k : s) {
                    k.onMark(snapshot);
                }
            }

            @Override
            public void onSample(long event, long clock, Allocator model) {
                for (ReportSink k : s) {
                    k.onSample(event, clock, model);
                }
            }

            @Override
            public void onProgress(long events) {
                for (ReportSink k : s) {
                    k.onProgress(events);
                }
            }

            @Override
            public void onEnd(RunResult result) throws IOException {
                for (ReportSink k : s) {
                    k.onEnd(result);
                }
            }
        };
    }
}
