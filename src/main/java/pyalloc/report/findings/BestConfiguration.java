package pyalloc.report.findings;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * Which configuration would have held least: in a comparison folder (compare.csv, one summary row per
 * configuration, the first the baseline), the configurations with the least peak of arena bytes M, against the
 * baseline, and those that keep least at the snapshot the headline numbers describe (exit, else the end) when they
 * keep less than the baseline. Applies when compare.csv has at least two configurations; its value is what the
 * best saves at the peak, else at that snapshot.
 */
final class BestConfiguration implements FindingRule {
    static final String COMPARE_CSV = "compare.csv";

    @Override
    public String id() {
        return "best-configuration";
    }

    @Override
    public String title() {
        return "The configuration that would have held least";
    }

    @Override
    public Optional<Finding> find(ReportFiles report) {
        List<Row> rows = report.rows(COMPARE_CSV);
        if (rows.size() < 2) {
            return Optional.empty();
        }
        Row base = rows.get(0);
        List<Row> leastPeak = least(rows, "peak_arena_bytes");
        List<Row> leastAtEnd = least(rows, "arena_bytes");
        Row best = leastPeak.get(0);
        long peakBase = base.lng("peak_arena_bytes");
        long peakBest = best.lng("peak_arena_bytes");
        StringBuilder text = new StringBuilder();
        if (peakBest == peakBase) {
            text.append(Words.f("Of %d configurations, none would have held less at its peak than the baseline, %s"
                    + " (%s)", rows.size(), base.get("profile"), Words.bytes(peakBase)));
            text.append(leastPeak.size() > 1 ? Words.f("; %s held as little.", names(leastPeak, base)) : ".");
        } else {
            text.append(Words.f("Of %d configurations, %s would have held least at its peak: %s against %s for the"
                    + " baseline, %s (%s less, %s).", rows.size(), names(leastPeak, null), Words.bytes(peakBest),
                    Words.bytes(peakBase), base.get("profile"), Words.bytes(peakBase - peakBest),
                    Words.pct((double) (peakBase - peakBest) / peakBase)));
        }
        Row keeps = leastAtEnd.get(0);
        long endDiff = base.lng("arena_bytes") - keeps.lng("arena_bytes");
        if (endDiff > 0) {
            if (peakBest < peakBase && leastPeak.size() == 1 && leastAtEnd.size() == 1 && keeps == best) {
                text.append(Words.f(" It would also keep least %s: %s against %s.", atWords(keeps),
                        Words.bytes(keeps.lng("arena_bytes")), Words.bytes(base.lng("arena_bytes"))));
            } else {
                text.append(Words.f(" %s, %s would keep least: %s against %s.", capital(atWords(keeps)),
                        names(leastAtEnd, null), Words.bytes(keeps.lng("arena_bytes")),
                        Words.bytes(base.lng("arena_bytes"))));
            }
        }
        StringBuilder evidence = new StringBuilder("compare.csv: peak_arena_bytes, arena_bytes per profile:");
        for (Row r : rows) {
            evidence.append(Words.f(" %s %d, %d;", r.get("profile"), r.lng("peak_arena_bytes"), r.lng("arena_bytes")));
        }
        evidence.setLength(evidence.length() - 1);
        return finding("", peakBest < peakBase ? peakBase - peakBest : Math.max(0, endDiff), "bytes", text.toString(), evidence.toString(),
                "A configuration is a build of pymalloc or a rule of it, not a setting of the running interpreter:"
                        + " a version's allocator comes with that version, arena and pool sizes are constants of"
                        + " its build, a policy is a change to Objects/obmalloc.c. Read it as what an upgrade, a"
                        + " build option or a patch would change for this program.");
    }

    /** The rows with the least value of {@code column}, in the order given. */
    private static List<Row> least(List<Row> rows, String column) {
        long min = Long.MAX_VALUE;
        for (Row r : rows) {
            min = Math.min(min, r.lng(column));
        }
        List<Row> least = new ArrayList<>();
        for (Row r : rows) {
            if (r.lng(column) == min) {
                least.add(r);
            }
        }
        return least;
    }

    /** "cpython-3.9", "cpython-3.7, cpython-3.8 and cpython-3.9 (tied)", leaving out {@code except}. */
    private static String names(List<Row> rows, Row except) {
        List<String> ids = new ArrayList<>();
        for (Row r : rows) {
            if (r != except) {
                ids.add(r.get("profile"));
            }
        }
        if (ids.size() == 1) {
            return ids.get(0);
        }
        return String.join(", ", ids.subList(0, ids.size() - 1)) + " and " + ids.get(ids.size() - 1)
                + (except == null ? " (tied)" : "");
    }

    private static String atWords(Row r) {
        return r.get("snapshot").equals(ReportFiles.EXIT) ? "at exit" : "at the end of the trace";
    }

    private static String capital(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
