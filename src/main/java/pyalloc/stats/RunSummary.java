package pyalloc.stats;

/**
 * Run-wide numbers updated after every event: the peaks of L and M and Johnstone & Wilson's four
 * fragmentation measures (ISMM 1998; metrics.md "Run summary").
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
    private double lastFrag = Double.NaN;
    private long lastClock;

    /** Folds in the state after an event at time {@code clock} (ns, or the event index). */
    public void update(long clock, long requested, long arenaBytes) {
        if (!Double.isNaN(lastFrag) && clock > lastClock) {
            fragTimeSum += lastFrag * (clock - lastClock);  // frag held from the previous event until this one
            fragTimeWeight += clock - lastClock;
        }
        lastClock = clock;
        lastFrag = requested == 0 ? Double.NaN : (double) arenaBytes / requested - 1;
        if (requested > peakRequested) {
            peakRequested = requested;
            arenaBytesAtPeakRequested = arenaBytes;
            peakRequestedClock = clock;
        }
        if (arenaBytes > peakArenaBytes) {
            peakArenaBytes = arenaBytes;
            requestedAtPeakArenaBytes = requested;
            peakArenaBytesClock = clock;
        }
    }

    /** Returns max L so far. */
    public long peakRequested() {
        return Math.max(peakRequested, 0);
    }

    /** Returns max M so far. */
    public long peakArenaBytes() {
        return Math.max(peakArenaBytes, 0);
    }

    public long peakRequestedClock() {
        return peakRequestedClock;
    }

    public long peakArenaBytesClock() {
        return peakArenaBytesClock;
    }

    /** J&amp;W #1: the time-weighted mean of M / L - 1 (over the time L &gt; 0). */
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
