package pyalloc.report.findings;

import java.util.Optional;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * Freed but not returned (fragmentation): after its peak, live data L fell a good part of the way, and the
 * arenas M did not follow. From the peak of L to the lowest L after it (up to the headline snapshot): applies
 * when L fell by at least {@link #FALL} of its peak and pymalloc kept at least {@link #KEPT} of what was freed
 * (kept = fall of L - fall of M).
 */
final class FreedNotReturned implements FindingRule {
    static final double FALL = 0.25;
    static final double KEPT = 0.5;

    @Override
    public String id() {
        return "freed-not-returned";
    }

    @Override
    public String title() {
        return "Freed but not given back (fragmentation)";
    }

    @Override
    public Optional<Finding> find(ReportFiles report) {
        Row s = report.headline();
        if (s == null) {
            return Optional.empty();
        }
        Series h = Series.upTo(report, s);
        int p = h.peakRequested();
        int low = p;
        for (int i = p + 1; i < h.size(); i++) {
            if (h.requested[i] < h.requested[low]) {
                low = i;
            }
        }
        long fallL = h.requested[p] - h.requested[low];
        long fallM = Math.max(0, h.arenaBytes[p] - h.arenaBytes[low]);
        long kept = fallL - fallM;
        if (fallL == 0 || fallL < FALL * h.requested[p] || kept < KEPT * fallL) {
            return Optional.empty();
        }
        Row peak = h.row(p);
        Row after = h.row(low);
        String text = Words.f("Live data fell from %s (%s) to %s (%s), but the arenas went only from %s to %s: %s"
                + " that the program freed stayed with pymalloc, spread over arenas that still hold live blocks."
                + " pymalloc gives an arena back to the operating system only when every block in it is free.",
                Words.bytes(h.requested[p]), Words.when(peak), Words.bytes(h.requested[low]), Words.when(after),
                Words.bytes(h.arenaBytes[p]), Words.bytes(h.arenaBytes[low]), Words.bytes(kept));
        if (low == h.size() - 1 && s.get("snapshot").equals(ReportFiles.END) && report.mark(ReportFiles.EXIT) == null) {
            text += " (The low point is the end of the trace, which has no exit mark: the interpreter's shutdown freed"
                    + " much of it.)";
        }
        String evidence = Words.f("timeline.csv: at %s requested_bytes (L) %d, arena_bytes (M) %d; at %s L %d, M %d;"
                + " L fell %d, M fell %d", Words.when(peak), h.requested[p], h.arenaBytes[p], Words.when(after),
                h.requested[low], h.arenaBytes[low], fallL, fallM);
        return finding(after.has("snapshot") ? after.get("snapshot") : "", kept, "bytes", text, evidence,
                "A few objects that outlive their neighbours keep whole arenas. Create long-lived objects before"
                        + " the short-lived ones (or in another process), evict a cache's entries oldest first rather than"
                        + " scattered through it, or let long-running workers restart now and then.");
    }
}
