package pyalloc.replay;

import pyalloc.report.ReportSink;

/**
 * One allocator configuration of a comparison: what to simulate, and where its outputs go.
 *
 * @param options     the profile, policies and sampling of its replay
 * @param profileNote where its profile came from, for its summary (" (from the trace header)", ...)
 * @param sink        its outputs (a report folder, usually); called on the thread that replays it
 */
public record Configuration(ReplayOptions options, String profileNote, ReportSink sink) {

    /** Returns its name: the profile's id and the policies that are not CPython's. */
    public String id() {
        return options.id();
    }
}
