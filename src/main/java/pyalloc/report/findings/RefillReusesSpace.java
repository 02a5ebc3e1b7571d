package pyalloc.report.findings;

import java.util.Optional;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * A cache that refills its space: after live data L fell, it grew again without a new arena, so the space
 * pymalloc kept was used. Over the history up to the headline snapshot, the largest rise of L from a low point
 * t1 (L at most {@link #LOW} of the largest L before it) to a later t2 with M never above M at t1 in between;
 * applies when that rise is at least {@link #REFILL} of the peak of L.
 */
final class RefillReusesSpace implements FindingRule {
    static final double LOW = 0.8;
    static final double REFILL = 0.1;

    @Override
    public String id() {
        return "refill-reuses-space";
    }

    @Override
    public String title() {
        return "Freed space reused by a refill";
    }

    @Override
    public Optional<Finding> find(ReportFiles report) {
        Row s = report.headline();
        if (s == null) {
            return Optional.empty();
        }
        Series h = Series.upTo(report, s);
        long[] l = h.requested;
        long[] m = h.arenaBytes;
        long best = 0;
        int from = -1;
        int to = -1;
        long peakBefore = 0;
        for (int t1 = 0; t1 < h.size(); t1++) {
            if (t1 > 0 && l[t1] <= LOW * peakBefore && l[t1] <= l[t1 - 1]) {
                for (int t2 = t1 + 1; t2 < h.size() && m[t2] <= m[t1]; t2++) {
                    if (l[t2] - l[t1] > best) {
                        best = l[t2] - l[t1];
                        from = t1;
                        to = t2;
                    }
                }
            }
            peakBefore = Math.max(peakBefore, l[t1]);
        }
        if (from < 0 || best < REFILL * l[h.peakRequested()]) {
            return Optional.empty();
        }
        String text = Words.f("After live data fell to %s (%s), it grew back by %s to %s (%s) without a new arena"
                + " (the arenas stayed at %s): the space pymalloc had kept was used again, as by a cache that refills.",
                Words.bytes(l[from]), Words.when(h.row(from)), Words.bytes(best), Words.bytes(l[to]),
                Words.when(h.row(to)), Words.bytes(m[from]));
        String evidence = Words.f("timeline.csv: at %s requested_bytes (L) %d, arena_bytes (M) %d; at %s L %d; M at"
                + " most %d in between", Words.when(h.row(from)), l[from], m[from], Words.when(h.row(to)), l[to],
                m[from]);
        return finding("", best, "bytes", text, evidence,
                "Memory kept after a fall is not lost while the program fills it again. If the refill does not"
                        + " come (a server gone idle), that space is what the process keeps: bound the cache by"
                        + " size, or shrink it in one go.");
    }
}
