package pyalloc.stats;

/**
 * What a finished replay measured: the final snapshot, the sampled history, the run-wide numbers and the
 * anomalies, with the counts the reports print.
 *
 * @param trace           the trace's name in messages and reports (the path as given, or {@code <stdin>})
 * @param profileNote     where the profile came from, for the summary (" (from the trace header)", ...)
 * @param end             the state after the last event
 * @param events          trace events replayed
 * @param nanos           wall time of the replay, reading included
 * @param marks           mark rows met
 * @param rawDomainBlocks RAW-domain blocks live at the end (counted, never simulated)
 * @param rawDomainBytes  their bytes
 * @param skippedRows     malformed rows skipped (lenient replays only)
 * @param siteTimeline    the leading call sites' live bytes over time, when the trace has sites; else null
 */
public record RunResult(String trace, String profileNote, Snapshot end, Timeline timeline, RunSummary summary,
        AnomalyLog anomalies, long events, long nanos, int marks, long rawDomainBlocks, long rawDomainBytes,
        long skippedRows, SiteTimeline siteTimeline) {

    /** Returns events replayed per second of wall time. */
    public double eventsPerSecond() {
        return nanos == 0 ? 0 : events * 1e9 / nanos;
    }
}
