package pyalloc.report.findings;

import java.util.Optional;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * Memory outside pymalloc: at the headline snapshot, the live requests served by the system allocator (0 bytes
 * or above pymalloc's threshold, and RAW-domain blocks), which the arena numbers leave out. Applies when they
 * are at least {@link #SHARE} of them and pymalloc's arenas together.
 */
final class OutsidePymalloc implements FindingRule {
    static final double SHARE = 0.25;

    @Override
    public String id() {
        return "outside-pymalloc";
    }

    @Override
    public String title() {
        return "Memory outside pymalloc";
    }

    @Override
    public Optional<Finding> find(ReportFiles report) {
        Row s = report.headline();
        if (s == null) {
            return Optional.empty();
        }
        long raw = s.lng("raw_bytes") + s.lng("raw_domain_bytes");
        long blocks = s.lng("raw_blocks") + s.lng("raw_domain_blocks");
        long m = s.lng("arena_bytes");
        if (raw == 0 || raw < SHARE * (raw + m)) {
            return Optional.empty();
        }
        String text = Words.f("%s, %s in %s live requests went to the system allocator, not to pymalloc (requests"
                + " larger than pymalloc's threshold, 512 bytes by default, and PyMem_RawMalloc), beside the %s"
                + " of pymalloc's arenas. The arena numbers in this report do not include them.", Words.atStart(s),
                Words.bytes(raw), Words.count(blocks), Words.bytes(m));
        String evidence = Words.f("marks.csv, snapshot %s: raw_bytes %d, raw_blocks %d%s, arena_bytes %d",
                s.get("snapshot"), s.lng("raw_bytes"), s.lng("raw_blocks"), s.has("raw_domain_bytes")
                        ? Words.f(", raw_domain_bytes %d, raw_domain_blocks %d", s.lng("raw_domain_bytes"),
                                s.lng("raw_domain_blocks")) : "", m);
        return finding(s.get("snapshot"), raw, "bytes", text, evidence,
                "Large buffers (big lists' item arrays, big dicts' tables, bytes, NumPy arrays) are the C"
                        + " library malloc's to keep or return; glibc returns large blocks on free, smaller ones"
                        + " stay in its heap (MALLOC_TRIM_THRESHOLD_, malloc_trim).");
    }
}
