package pyalloc.report.text;

import static pyalloc.report.text.SummaryText.bytes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import pyalloc.stats.Footprint;
import pyalloc.stats.RunResult;
import pyalloc.stats.RunSummary;
import pyalloc.stats.Snapshot;

/**
 * The table {@code pyalloc compare} prints: every configuration ranked by its peak arena bytes M, least first (ties by
 * M at the end), with the difference to the first configuration given (the baseline).
 */
public final class CompareText {
    private CompareText() {
    }

    /** Returns the table for {@code results} (in the order given); {@code report} names the folder, or null. */
    public static String format(List<RunResult> results, String report) {
        RunResult baseline = results.get(0);
        long base = baseline.summary().peakArenaBytes();
        List<RunResult> ranked = new ArrayList<>(results);
        // Ties (arena bytes move in whole arenas) by M at the end; the sort is stable: then as given.
        ranked.sort(Comparator.comparingLong((RunResult r) -> r.summary().peakArenaBytes())
                .thenComparingLong(r -> r.end().footprint().arenaBytes()));
        int width = Math.max("configuration".length(),
                results.stream().mapToInt(r -> id(r).length()).max().orElse(0));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-10s %s (%,d events)%n", "trace", baseline.trace(), baseline.events()));
        out.append(String.format(Locale.ROOT, "%-10s %s, the first configuration; ranked by peak arena bytes M, then M at the end%n%n",
                "baseline", id(baseline)));
        String row = "%4s  %-" + width + "s %11s %11s %7s %11s %6s %6s %9s %7s%n";
        out.append(String.format(Locale.ROOT, row, "rank", "configuration", "peak M", "vs baseline", "", "end M",
                "arenas", "mapped", "reclaimed", "frag#4"));
        int rank = 0;
        for (RunResult r : ranked) {
            RunSummary s = r.summary();
            Snapshot end = r.end();
            Footprint f = end.footprint();
            long peak = s.peakArenaBytes();
            String diff = r == baseline ? "baseline" : signed(peak - base);
            String pct = r == baseline || base == 0 ? "" : String.format(Locale.ROOT, "%+.1f%%", 100.0 * (peak - base) / base);
            out.append(String.format(Locale.ROOT, row, ++rank, id(r), bytes(peak), diff, pct, bytes(f.arenaBytes()),
                    end.arenasHighwater(), end.arenasAllocatedTotal(), end.arenasReclaimed(), ratio(s.peakFrag())));
        }
        out.append(String.format(Locale.ROOT, "%n%-10s peak M, and M at the end; arenas: most at once; mapped and"
                + " reclaimed over the run; frag#4: max M / max L - 1%n", "columns"));
        if (report != null) {
            out.append(String.format(Locale.ROOT, "%-10s %s%n", "report", report));
        }
        return Printable.text(out.toString());  // names from the trace: no control character reaches a terminal
    }

    private static String id(RunResult r) {
        return r.end().profile().id();
    }

    private static String signed(long delta) {
        return delta == 0 ? "0 B" : (delta > 0 ? "+" : "-") + bytes(Math.abs(delta));
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r);
    }
}
