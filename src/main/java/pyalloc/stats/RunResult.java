package pyalloc.stats;

/**
 * What a finished replay measured: the snapshots that matter, the sampled history, the run-wide numbers and
 * the anomalies, with the counts the reports print.
 *
 * @param trace       the trace's name in messages and reports (the path as given, or {@code <stdin>})
 * @param profileNote where the profile came from, for the summary (" (from the trace header)", ...)
 * @param end         the state after the last event
 * @param exit        the state at the trace's {@code exit} mark (the program's main code finished, the
 *                    interpreter not yet shut down), or null when the trace has none
 * @param peak        the state at the first event at which M reached its maximum (up to {@code exit} when the
 *                    trace has it), or null when no arena was ever mapped
 * @param summary     peaks and J&amp;W measures of the program: up to {@code exit} when the trace has it, else
 *                    of the whole trace
 * @param events      trace events replayed
 * @param nanos       wall time of the replay, reading included
 * @param marks       mark rows met
 * @param skippedRows malformed rows skipped (lenient replays only)
 * @param siteTimeline the leading call sites' live bytes over time, when the trace has sites; else null
 */
public record RunResult(String trace, String profileNote, Snapshot end, Snapshot exit, Snapshot peak,
        Timeline timeline, RunSummary summary, AnomalyLog anomalies, long events, long nanos, int marks,
        long skippedRows, SiteTimeline siteTimeline) {

    /** Returns events replayed per second of wall time. */
    public double eventsPerSecond() {
        return nanos == 0 ? 0 : events * 1e9 / nanos;
    }

    /** Returns the snapshot that describes the program: {@code exit} when the trace has it, else {@code end}. */
    public Snapshot headline() {
        return exit != null ? exit : end;
    }
}
