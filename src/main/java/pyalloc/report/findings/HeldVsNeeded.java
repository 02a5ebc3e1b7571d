package pyalloc.report.findings;

import java.util.Optional;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * Held vs needed: at the headline snapshot (exit, else the end), the arenas' bytes M against the live data L.
 * Applies when L / M is under {@link #UTIL_BELOW}: more than half of what pymalloc holds is not the program's
 * data. Says which part of M - L is largest, and the mark where the most was held beyond need.
 */
final class HeldVsNeeded implements FindingRule {
    static final double UTIL_BELOW = 0.5;

    @Override
    public String id() {
        return "held-vs-needed";
    }

    @Override
    public String title() {
        return "Memory held vs memory needed";
    }

    @Override
    public Optional<Finding> find(ReportFiles report) {
        Row s = report.headline();
        if (s == null) {
            return Optional.empty();
        }
        long m = s.lng("arena_bytes");
        long l = s.lng("requested_bytes");
        if (m == 0 || l >= UTIL_BELOW * m) {
            return Optional.empty();
        }
        long held = m - l;
        long iq = s.lng("internal_frag_bytes");
        long f = s.lng("available_bytes");
        long e = s.lng("unused_pool_bytes");
        long overhead = m - s.lng("allocated_bytes") - f - e;
        StringBuilder text = new StringBuilder(Words.f("%s, %s in %s hold %s of live data (%s used): %s is"
                + " held beyond what the program asked for.", Words.atStart(s), Words.bytes(m),
                Words.plural(s.lng("arenas"), "arena", "arenas"), Words.bytes(l), Words.pct((double) l / m),
                Words.bytes(held)));
        if (s.get("snapshot").equals(ReportFiles.END) && report.mark(ReportFiles.EXIT) == null) {
            text.append(" (The trace has no exit mark, so its end includes the interpreter's shutdown, which"
                    + " frees most objects.)");
        }
        Row worst = worstMark(report, s);
        if (worst != null) {
            text.append(Words.f(" %s (%s), %s held %s of live data.", Words.atStart(worst), Words.when(worst),
                    Words.bytes(worst.lng("arena_bytes")), Words.bytes(worst.lng("requested_bytes"))));
        }
        String evidence = Words.f("marks.csv, snapshot %s: arena_bytes (M) %d, arenas %d, requested_bytes (L)"
                + " %d; M - L = free blocks in used pools (F) %s + unused pools (E) %s + size-class rounding (Iq) %s"
                + " + pool headers, quantization and alignment %s", s.get("snapshot"), m, s.lng("arenas"), l,
                Words.bytes(f), Words.bytes(e), Words.bytes(iq), Words.bytes(overhead))
                + (worst == null ? "" : Words.f("; snapshot %s: arena_bytes %d, requested_bytes %d",
                        worst.get("snapshot"), worst.lng("arena_bytes"), worst.lng("requested_bytes")));
        return finding(s.get("snapshot"), held, "bytes", text.toString(), evidence, advice(f, e, iq, overhead));
    }

    /**
     * The mark (not pyalloc's own snapshots) with the most held beyond need, when more than at {@code s}, or at all
     * when {@code s} is the end of a trace without an exit mark (its end is the interpreter's shutdown, and the
     * program's own state is at its marks).
     */
    private static Row worstMark(ReportFiles report, Row s) {
        Row worst = null;
        boolean shutdown = s.get("snapshot").equals(ReportFiles.END) && report.mark(ReportFiles.EXIT) == null;
        long most = shutdown ? 0 : s.lng("arena_bytes") - s.lng("requested_bytes");
        for (Row r : report.marks()) {
            String label = r.get("snapshot");
            if (r.get("line").isEmpty() || label.equals(s.get("snapshot")) || label.equals("peak")) {
                continue;  // end and peak are pyalloc's own snapshots, with no line of the trace
            }
            long m = r.lng("arena_bytes");
            long waste = m - r.lng("requested_bytes");
            if (waste > most && r.lng("requested_bytes") < UTIL_BELOW * m) {
                worst = r;
                most = waste;
            }
        }
        return worst;
    }

    private static String advice(long f, long e, long iq, long overhead) {
        long top = Math.max(Math.max(f, e), Math.max(iq, overhead));
        if (top == e) {
            return "Most of it is whole empty pools inside arenas that a few live blocks keep from being returned:"
                    + " see the pinned arenas below.";
        } else if (top == f) {
            return "Most of it is free blocks inside pools that still hold live blocks: pymalloc reuses them only"
                    + " for new objects of the same size class, so they are spare room, not returnable memory.";
        } else if (top == iq) {
            return "Most of it is size-class rounding: see the finding on rounding.";
        }
        return "Most of it is pymalloc's own bookkeeping (pool headers, pool tails too short for a block, arena"
                + " alignment).";
    }
}
