package pyalloc.report.findings;

import java.util.Optional;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * The cost of size-class rounding: at the peak of live data (up to the headline snapshot), the bytes that
 * rounding each request up to its size class adds, Iq = B - L. Applies when Iq is at least {@link #SHARE} of L.
 */
final class SizeClassRounding implements FindingRule {
    static final double SHARE = 0.10;

    @Override
    public String id() {
        return "size-class-rounding";
    }

    @Override
    public String title() {
        return "Rounding up to size classes";
    }

    @Override
    public Optional<Finding> find(ReportFiles report) {
        Row s = report.headline();
        if (s == null) {
            return Optional.empty();
        }
        Series h = Series.upTo(report, s);
        int p = h.peakRequested();
        Row peak = h.row(p);
        long l = h.requested[p];
        long iq = peak.lng("internal_frag_bytes");
        if (l == 0 || iq < SHARE * l) {
            return Optional.empty();
        }
        String text = Words.f("At the peak of live data (%s), rounding each request up to its size class costs %s:"
                + " %s on top of the %s the program asked for.", Words.when(peak), Words.bytes(iq),
                Words.pct((double) iq / l), Words.bytes(l));
        String evidence = Words.f("timeline.csv at %s: requested_bytes (L) %d, internal_frag_bytes (Iq = B - L) %d",
                Words.when(peak), l, iq);
        return finding(peak.has("snapshot") ? peak.get("snapshot") : "", iq, "bytes", text, evidence,
                "pymalloc serves each request from the next size class (steps of 16 bytes, 8 in older builds)."
                        + " Many small objects whose size sits just above a step pay most: __slots__ on classes"
                        + " with many instances, or fewer and larger objects (arrays, tuples instead of small dicts),"
                        + " shrink both the request and its rounding.");
    }
}
