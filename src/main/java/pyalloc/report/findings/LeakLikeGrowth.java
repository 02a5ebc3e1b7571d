package pyalloc.report.findings;

import java.util.Optional;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * Leak-like growth: live data L keeps growing up to the headline snapshot and does not fall back. Applies when
 * L at the snapshot is at least {@link #GROWTH} times L a quarter into the run (by the clock), at least
 * {@link #NEAR_PEAK} of the largest L so far, and the growth is at least one arena's worth.
 */
final class LeakLikeGrowth implements FindingRule {
    static final double GROWTH = 2.0;
    static final double NEAR_PEAK = 0.9;

    @Override
    public String id() {
        return "leak-like-growth";
    }

    @Override
    public String title() {
        return "Live data keeps growing";
    }

    @Override
    public Optional<Finding> find(ReportFiles report) {
        Row s = report.headline();
        if (s == null || s.lng("arenas") == 0) {
            return Optional.empty();
        }
        Series h = Series.upTo(report, s);
        int last = h.size() - 1;
        if (last < 4) {
            return Optional.empty();
        }
        double first = clock(h.row(0));
        double quarterClock = first + (clock(h.row(last)) - first) / 4;
        int q = 0;
        while (q < last && clock(h.row(q)) < quarterClock) {
            q++;
        }
        long lq = h.requested[q];
        long ls = h.requested[last];
        long arenaSize = s.lng("arena_bytes") / s.lng("arenas");
        if (ls < GROWTH * lq || ls < NEAR_PEAK * h.requested[h.peakRequested()] || ls - lq < arenaSize) {
            return Optional.empty();
        }
        String text = Words.f("Live data grew from %s (%s) to %s %s and did not fall back: the program keeps more"
                + " and more objects alive. The arenas grew with it, from %s to %s.", Words.bytes(lq),
                Words.when(h.row(q)), Words.bytes(ls), Words.at(s), Words.bytes(h.arenaBytes[q]),
                Words.bytes(h.arenaBytes[last]));
        String evidence = Words.f("timeline.csv: requested_bytes (L) %d at %s (a quarter into the run), %d at %s;"
                + " largest L up to then %d; arena_bytes %d and %d", lq, Words.when(h.row(q)), ls, Words.when(s),
                h.requested[h.peakRequested()], h.arenaBytes[q], h.arenaBytes[last]);
        return finding(s.get("snapshot"), ls - lq, "bytes", text, evidence,
                "This is growth of live data, not of the allocator's waste: look for what keeps objects alive"
                        + " (a cache without a bound, a list or dict that is only added to, objects reachable from"
                        + " globals); comparing two tracemalloc snapshots names the lines that allocate them.");
    }

    private static double clock(Row r) {
        String ns = r.get("ns");
        return ns.isEmpty() ? r.lng("event") : Long.parseLong(ns);
    }
}
