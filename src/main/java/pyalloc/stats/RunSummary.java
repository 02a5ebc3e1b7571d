package pyalloc.stats;

/**
 * Run-wide numbers updated after every event: the peaks of L and M and Johnstone &amp; Wilson's four
 * fragmentation measures (ISMM 1998; metrics.md "Run summary").
 *
 * <p>J&amp;W #1 is a mean over time, and the time is the <em>allocation clock</em>: the bytes the program has
 * requested so far (MEM and OBJ allocations, a realloc counting its new size). Johnstone and Wilson's own
 * traces measured time that way, and so does the garbage-collection literature ("allocation time"): it
 * advances only with the program's own requests, whereas a trace's nanoseconds include the recorder's cost,
 * which differs between recording to a file and through gzip. The peaks' moments keep the trace's clock
 * ({@code ns}, or the event index), which a person can place on the charts.
 */
public final class RunSummary {
    private long peakRequested = -1;
    private long arenaBytesAtPeakRequested;
    private long peakRequestedClock;
    private long peakArenaBytes = -1;
    private long requestedAtPeakArenaBytes;
    private long peakArenaBytesClock;
    private double fragTimeSum;
    private double fragTimeWeight;
    /**
     * The state after the previous event, whose frag ({@code lastArenaBytes / lastRequested - 1}) holds until the
     * next event: kept as the two counts, and divided only when an event weighs it (one that allocates), not after
     * every event. No requested bytes: frag undefined, weighing nothing.
     */
    private long lastRequested;
    private long lastArenaBytes;
    private long lastAllocated;
    private long allocated;

    /** Returns a copy: the numbers as they stand now, which later updates of this one leave alone. */
    public RunSummary copy() {
        RunSummary c = new RunSummary();
        c.peakRequested = peakRequested;
        c.arenaBytesAtPeakRequested = arenaBytesAtPeakRequested;
        c.peakRequestedClock = peakRequestedClock;
        c.peakArenaBytes = peakArenaBytes;
        c.requestedAtPeakArenaBytes = requestedAtPeakArenaBytes;
        c.peakArenaBytesClock = peakArenaBytesClock;
        c.fragTimeSum = fragTimeSum;
        c.fragTimeWeight = fragTimeWeight;
        c.lastRequested = lastRequested;
        c.lastArenaBytes = lastArenaBytes;
        c.lastAllocated = lastAllocated;
        c.allocated = allocated;
        return c;
    }

    /**
     * Folds in the state after an event: {@code allocated} is the allocation clock (bytes requested so far),
     * {@code clock} the trace's time ({@code ns}, or the event index). Returns true when M reached a new
     * maximum with this event (the first event at that value).
     */
    public boolean update(long allocated, long clock, long requested, long arenaBytes) {
        if (allocated > lastAllocated && lastRequested != 0) {
            // frag held from the previous event until this one, which allocated (allocated - lastAllocated) bytes
            fragTimeSum += ((double) lastArenaBytes / lastRequested - 1) * (allocated - lastAllocated);
            fragTimeWeight += allocated - lastAllocated;
        }
        lastAllocated = allocated;
        this.allocated = allocated;
        lastRequested = requested;
        lastArenaBytes = arenaBytes;
        if (requested > peakRequested) {
            peakRequested = requested;
            arenaBytesAtPeakRequested = arenaBytes;
            peakRequestedClock = clock;
        }
        if (arenaBytes > peakArenaBytes) {
            peakArenaBytes = arenaBytes;
            requestedAtPeakArenaBytes = requested;
            peakArenaBytesClock = clock;
            return true;
        }
        return false;
    }

    /** Returns max L so far. */
    public long peakRequested() {
        return Math.max(peakRequested, 0);
    }

    /** Returns max M so far. */
    public long peakArenaBytes() {
        return Math.max(peakArenaBytes, 0);
    }

    /** Returns when max L was first reached: trace ns, or the event index when the trace has no ns. */
    public long peakRequestedClock() {
        return peakRequestedClock;
    }

    /** Returns when max M was first reached: trace ns, or the event index when the trace has no ns. */
    public long peakArenaBytesClock() {
        return peakArenaBytesClock;
    }

    /** Returns the allocation clock at the last update: bytes the program requested so far (MEM and OBJ). */
    public long allocatedBytes() {
        return allocated;
    }

    /** J&amp;W #1: the mean of M / L - 1 over the allocation clock (over the time L &gt; 0). */
    public double meanFrag() {
        return fragTimeWeight == 0 ? Double.NaN : fragTimeSum / fragTimeWeight;
    }

    /** J&amp;W #2: M / L - 1 at the moment of peak L. */
    public double fragAtPeakRequested() {
        return peakRequested <= 0 ? Double.NaN : (double) arenaBytesAtPeakRequested / peakRequested - 1;
    }

    /** J&amp;W #3: M / L - 1 at the moment of peak M. */
    public double fragAtPeakArenaBytes() {
        return requestedAtPeakArenaBytes <= 0 ? Double.NaN
                : (double) peakArenaBytes / requestedAtPeakArenaBytes - 1;
    }

    /** J&amp;W #4: max M / max L - 1. */
    public double peakFrag() {
        return peakRequested <= 0 ? Double.NaN : (double) peakArenaBytes / peakRequested - 1;
    }
}
