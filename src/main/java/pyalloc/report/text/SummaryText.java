package pyalloc.report.text;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import pyalloc.report.ReportSink;
import pyalloc.report.StandardOutput;
import pyalloc.report.findings.Finding;
import pyalloc.report.findings.Findings;
import pyalloc.report.html.HtmlPage;
import pyalloc.stats.Anomaly;
import pyalloc.stats.AnomalyLog;
import pyalloc.stats.Footprint;
import pyalloc.stats.RunResult;
import pyalloc.stats.RunSummary;
import pyalloc.stats.SiteAttribution;
import pyalloc.stats.SiteStats;
import pyalloc.stats.Snapshot;

/** The one-screen summary a replay prints on standard output. */
public final class SummaryText implements ReportSink {
    private static final int HEAD = 10;
    private static final int TAIL = 10;
    /** Findings are wrapped to this width: a terminal of the summary table's width and some. */
    private static final int WIDTH = 110;

    /** One snapshot's line of the table. */
    private record Row(String label, long line, Footprint f, int ideal, int pinned) {
        static Row of(Snapshot s) {
            return new Row(Printable.of(s.label()), s.line(), s.footprint(), s.idealArenas(), s.pinnedArenas());
        }
    }

    private final PrintWriter out;
    private final double pinnedBelow;
    private final String report;
    private final List<Row> head = new ArrayList<>();
    private final Deque<Row> tail = new ArrayDeque<>();
    private long marks;

    /**
     * A summary printed to {@code out} at the end; {@code report} names the report folder (null: none written),
     * {@code pinnedBelow} is the pinned-arena threshold (0..1).
     */
    public SummaryText(PrintWriter out, double pinnedBelow, String report) {
        this.out = out;
        this.pinnedBelow = pinnedBelow;
        this.report = report;
    }

    @Override
    public void onMark(Snapshot s) {
        addMark(s);
    }

    @Override
    public void onEnd(RunResult r) throws IOException {
        out.print(Printable.text(format(r, pinnedBelow, report)));
        StandardOutput.check(out);
    }

    /** Keeps a mark's line for the table (the first and the last few only, so memory stays bounded). */
    public void addMark(Snapshot s) {
        marks++;
        if (head.size() < HEAD) {
            head.add(Row.of(s));
            return;
        }
        tail.addLast(Row.of(s));
        if (tail.size() > TAIL) {
            tail.removeFirst();
        }
    }

    /** Returns the summary text. */
    public String format(RunResult r, double pinnedBelow, String report) {
        long skippedRows = r.skippedRows();
        StringBuilder out = new StringBuilder();
        Snapshot end = r.end();
        out.append(String.format(Locale.ROOT, "%-10s %s%n", "trace", r.trace()));
        out.append(String.format(Locale.ROOT, "%-10s %s%s%n", "profile", end.profile().id(), r.profileNote()));
        out.append(String.format(Locale.ROOT, "%-10s %,d in %.2f s (%,.0f events/s)%n%n", "events", r.events(),
                r.nanos() / 1e9, r.eventsPerSecond()));
        out.append(String.format(Locale.ROOT, "%-16s %9s %11s %11s %11s %6s %7s %6s %5s %6s%n", "snapshot",
                "line", "requested L", "blocks B", "arenas M", "util%", "frag", "arenas", "ideal", "pinned"));
        for (Row row : head) {
            line(out, row);
        }
        long hidden = marks - head.size() - tail.size();
        if (hidden > 0) {
            out.append(String.format(Locale.ROOT, "%-16s%n", "... " + hidden + " more marks in marks.csv"));
        }
        for (Row row : tail) {
            line(out, row);
        }
        if (r.peak() != null) {
            line(out, Row.of(r.peak()));
        }
        line(out, Row.of(end));
        out.append('\n');

        Snapshot at = r.headline();
        String when = r.exit() != null ? "at exit" : "at the end";
        out.append(String.format(Locale.ROOT, "%-10s %s%n", "program", r.exit() != null
                ? "described at its exit mark (line " + r.exit().line() + "), before the interpreter's shutdown"
                : "described at the end of the trace (no exit mark: any interpreter shutdown included)"));
        RunSummary s = r.summary();
        String unit = end.ns() >= 0 ? " ms" : "";
        out.append(String.format(Locale.ROOT, "%-10s L %s at %s, M %s at %s (%s)%n", "peaks",
                bytes(s.peakRequested()), clock(s.peakRequestedClock(), unit), bytes(s.peakArenaBytes()),
                clock(s.peakArenaBytesClock(), unit), unit.isEmpty() ? "event index" : "trace time"));
        out.append(String.format(Locale.ROOT, "%-10s #1 mean %s   #2 at peak L %s   #3 at peak M %s   "
                + "#4 max M / max L %s   (Johnstone & Wilson, M / L - 1; #1 over bytes allocated)%n", "frag",
                ratio(s.meanFrag()), ratio(s.fragAtPeakRequested()), ratio(s.fragAtPeakArenaBytes()),
                ratio(s.peakFrag())));
        Footprint f = at.footprint();
        out.append(String.format(Locale.ROOT, "%-10s %d allocated, %d reclaimed, high-water %d; %s %d"
                + " (%d would do if packed, %d pinned under %.0f%% occupancy)%n", "arenas",
                at.arenasAllocatedTotal(), at.arenasReclaimed(), at.arenasHighwater(), when, f.arenas(),
                at.idealArenas(), at.pinnedArenas(), pinnedBelow * 100));
        if (at.sites() != null) {
            sites(out, at);
        }
        if (at.meshPools() >= 0) {
            out.append(String.format(Locale.ROOT, "%-10s %s %,d pools (%s) could be released by meshing pools"
                    + " whose live blocks do not overlap (Mesh, PLDI 2019)%n", "mesh", when, at.meshPools(),
                    bytes(at.meshBytes())));
        }
        if (f.rawBlocks() > 0 || at.rawDomainBlocks() > 0) {
            out.append(String.format(Locale.ROOT, "%-10s %s %s: pymalloc's arenas %s (%.0f%%), malloc for MEM/OBJ"
                    + " %s (%,d blocks), RAW domain %s (%,d blocks)%n", "heap", when, bytes(at.heapBytes()),
                    bytes(f.arenaBytes()), 100.0 * f.arenaBytes() / at.heapBytes(), bytes(f.rawBytes()),
                    f.rawBlocks(), bytes(at.rawDomainBytes()), at.rawDomainBlocks()));
        }
        out.append(String.format(Locale.ROOT, "%-10s %s%n", "anomalies", anomalies(r.anomalies())));
        if (skippedRows > 0) {
            out.append(String.format(Locale.ROOT, "%-10s %,d malformed rows (--lenient)%n", "skipped", skippedRows));
        }
        if (report != null) {
            findings(out, report);
            out.append(String.format(Locale.ROOT, "%-10s %s (open %s)%n", "report", report,
                    Path.of(report).resolve(HtmlPage.FILE)));
        }
        return out.toString();
    }

    /** The findings of the report folder (findings.csv, written before this), one wrapped paragraph each. */
    private static void findings(StringBuilder out, String report) {
        List<Finding> found;
        try {
            found = Findings.read(Path.of(report));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (found.isEmpty()) {
            return;
        }
        out.append('\n');
        for (Finding f : found) {
            wrap(out, f.title() + ": " + f.text(), WIDTH, "  ");
        }
        out.append('\n');
    }

    /** Appends {@code text} broken at spaces into lines of at most {@code width}, each after {@code indent}. */
    static void wrap(StringBuilder out, String text, int width, String indent) {
        String rest = text;
        String lead = "- ";
        while (lead.length() + rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width - lead.length());
            if (cut <= 0) {
                break;
            }
            out.append(lead).append(rest, 0, cut).append('\n');
            rest = rest.substring(cut + 1);
            lead = indent;
        }
        out.append(lead).append(rest).append('\n');
    }

    /**
     * The call sites that keep arenas from going back, at the headline snapshot of a trace with sites: {@code 42
     * arenas (42 MiB) pinned by 1,310 blocks; 1,190 of them from cache.py:88 in remember}, then the leading sites.
     */
    private static void sites(StringBuilder out, Snapshot s) {
        SiteAttribution a = s.sites();
        String at = s.label().equals(Snapshot.END) ? "at the end:" : "at " + s.label() + ":";
        List<SiteStats> pinning = a.pinning();
        if (a.pinnedArenas() == 0 || pinning.isEmpty()) {
            String most = a.sites().isEmpty() ? "no live blocks" : "most live bytes from "
                    + a.sites().get(0).shortName() + " (" + bytes(a.sites().get(0).blockBytes()) + " in "
                    + String.format(Locale.ROOT, "%,d", a.sites().get(0).blocks()) + " blocks)";
            out.append(String.format(Locale.ROOT, "%-10s %s no pinned arena; %s%n", "sites", at, most));
            return;
        }
        SiteStats top = pinning.get(0);
        long arenaSize = s.profile().arenaSize();
        out.append(String.format(Locale.ROOT, "%-10s %s %,d arena%s (%s) pinned by %,d block%s; %,d of them from %s%n",
                "sites", at, a.pinnedArenas(), a.pinnedArenas() == 1 ? "" : "s", bytes(a.pinnedArenas() * arenaSize),
                a.blocksInPinnedArenas(), a.blocksInPinnedArenas() == 1 ? "" : "s", top.blocksInPinnedArenas(),
                top.shortName()));
        for (SiteStats site : pinning.subList(0, Math.min(3, pinning.size()))) {
            out.append(String.format(Locale.ROOT, "%-10s   %s: %,d block%s in %,d pinned arena%s%s%n", "",
                    site.shortName(), site.blocksInPinnedArenas(), site.blocksInPinnedArenas() == 1 ? "" : "s",
                    site.pinnedArenas(),
                    site.pinnedArenas() == 1 ? "" : "s", site.soleArenas() > 0 ? String.format(Locale.ROOT,
                            ", the only site in %,d arena%s", site.soleArenas(), site.soleArenas() == 1 ? "" : "s")
                            : ""));
        }
    }

    private static void line(StringBuilder out, Row r) {
        Footprint f = r.f();
        out.append(String.format(Locale.ROOT, "%-16s %9s %11s %11s %11s %6s %7s %6d %5d %6d%n",
                r.label().length() > 16 ? r.label().substring(0, 15) + "…" : r.label(),
                r.line() > 0 ? Long.toString(r.line()) : "", bytes(f.requestedBytes()),
                bytes(f.allocatedBlockBytes()), bytes(f.arenaBytes()),
                Double.isNaN(f.util()) ? "-" : String.format(Locale.ROOT, "%.1f", 100 * f.util()),
                ratio(f.frag()), f.arenas(), r.ideal(), r.pinned()));
    }

    private static String anomalies(AnomalyLog log) {
        if (log.total() == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%,d", log.total()));
        String sep = " (";
        for (Map.Entry<Anomaly, Long> e : log.counts().entrySet()) {
            sb.append(sep).append(e.getKey().id()).append(' ').append(String.format(Locale.ROOT, "%,d", e.getValue()));
            sep = ", ";
        }
        AnomalyLog.Entry first = log.first().get(0);
        return sb.append("); first at line ").append(first.line()).append(", see anomalies.csv").toString();
    }

    /** Returns bytes in binary units with three significant digits (812 B, 1.53 MiB). */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r);
    }

    private static String clock(long c, String unit) {
        return unit.isEmpty() ? String.format(Locale.ROOT, "event %,d", c)
                : String.format(Locale.ROOT, "%.1f%s", c / 1e6, unit);
    }
}
