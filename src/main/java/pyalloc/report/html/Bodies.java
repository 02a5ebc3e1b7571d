package pyalloc.report.html;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;
import pyalloc.report.findings.Finding;
import pyalloc.report.findings.Findings;
import pyalloc.report.findings.PinnedArenas;
import pyalloc.report.html.Sections.Section;

/** What each section of the page shows (the table of sections is {@link Sections}). */
final class Bodies {
    /** Marks shown from the start and from the end of a long marks.csv. */
    private static final int HEAD = 30;
    private static final int TAIL = 15;
    /** Arenas listed one by one up to this many; beyond, a count per occupancy band and the emptiest ones. */
    private static final int ARENAS_LISTED = 40;
    /** Call sites listed, most bytes first. */
    private static final int SITES_LISTED = 15;

    /** With call sites: the leading sites of every arena. */
    private static final String ARENA_SITES = "arena_sites.csv";

    private Bodies() {
    }

    static boolean findings(Page page, Section s) {
        List<Finding> found;
        try {
            found = Findings.read(page.files.dir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Html h = page.html;
        if (found.isEmpty()) {
            h.el("p", "No rule applies: the memory pymalloc holds follows the program's live data closely, no arena"
                    + " is kept by a few blocks, and rounding costs little.");
            return true;
        }
        for (Finding f : found) {
            h.raw("<article class=\"finding\" id=\"f-").text(f.rule()).raw("\">\n");
            h.el("h3", f.title());
            h.el("p", f.text());
            h.raw("<p class=\"advice\"><strong>What would help:</strong> ").text(f.advice()).raw("</p>\n");
            h.raw("<details><summary>Evidence</summary><p>").text(f.evidence())
                    .raw(" <span class=\"rule\">(rule <code>").text(f.rule()).raw("</code>)</span></p></details>\n");
            h.raw("</article>\n");
        }
        return true;
    }

    static boolean glance(Page page, Section s) {
        Row sum = page.files.summary();
        Row at = page.files.headline();
        if (sum == null || at == null) {
            return false;
        }
        Html h = page.html;
        h.raw("<p>Trace <code>").text(sum.get("trace")).raw("</code>, replayed with pymalloc as in <code>")
                .text(sum.get("profile")).raw("</code>: ").text(Page.count(sum, "events")).raw(" events, ")
                .text(Page.count(sum, "marks")).raw(" marks. The numbers below are ").text(atPhrase(page, at))
                .raw(".</p>\n");
        h.raw("<div class=\"tiles\">\n");
        tile(h, "live data (L)", Page.bytes(at, "requested_bytes"), "what the program's objects asked for");
        tile(h, "held by pymalloc (M)", Page.bytes(at, "arena_bytes"), Page.count(at, "arenas") + " arenas");
        tile(h, "used", Page.pct(at, "util_pct"), "L / M");
        tile(h, "pinned arenas", Page.count(at, "pinned_arenas"), "kept by a few live blocks");
        tile(h, "would do if packed", Page.count(at, "ideal_arenas") + (at.lng("ideal_arenas") == 1 ? " arena"
                : " arenas"), "the compaction bound");
        tile(h, "most held", Page.bytes(sum, "peak_arena_bytes"), "peak of M");
        tile(h, "most live data", Page.bytes(sum, "peak_requested_bytes"), "peak of L");
        h.raw("</div>\n");
        return true;
    }

    private static void tile(Html h, String name, String valueHtml, String note) {
        h.raw("<div class=\"tile\"><div class=\"v\">").raw(valueHtml).raw("</div><div class=\"n\">").text(name)
                .raw("</div><div class=\"d\">").text(note).raw("</div></div>\n");
    }

    /** "at exit (312.4 ms), before the interpreter's shutdown", ... */
    static String atPhrase(Page page, Row at) {
        String label = at.get("snapshot");
        String when = Page.when(at);
        return switch (label) {
            case ReportFiles.EXIT -> "at the program's exit mark (" + when + "), before the interpreter's shutdown";
            case ReportFiles.END -> page.files.mark(ReportFiles.EXIT) == null
                    ? "at the end of the trace (" + when + "; the trace has no exit mark, so this includes the"
                            + " interpreter's shutdown)"
                    : "at the end of the trace (" + when + ")";
            case "peak" -> "at the peak of arena bytes (" + when + ")";
            default -> "at mark " + label + " (" + when + ")";
        };
    }

    static boolean chartOnly(Page page, Section s) {
        return page.chart(s.chart(), s.title());
    }

    static boolean snapshots(Page page, Section s) {
        List<Row> marks = page.files.marks();
        if (marks.isEmpty()) {
            return false;
        }
        Html h = page.html;
        h.raw("<div class=\"scroll\"><table>\n<thead><tr><th>snapshot</th><th>when</th><th>live data L</th>"
                + "<th>in blocks B</th><th>held M</th><th>used L/M</th><th>arenas</th><th>if packed</th>"
                + "<th>pinned</th><th>free in pools F</th><th>empty pools E</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < marks.size(); i++) {
            if (i == HEAD && marks.size() > HEAD + TAIL) {
                h.raw("<tr><td colspan=\"11\" class=\"gap\">").text(String.format(Locale.ROOT,
                        "… %,d more in marks.csv", marks.size() - HEAD - TAIL)).raw("</td></tr>\n");
                i = marks.size() - TAIL;
            }
            Row r = marks.get(i);
            h.raw("<tr><td>").text(r.get("snapshot")).raw("</td><td>").text(Page.when(r)).raw("</td><td>")
                    .raw(Page.bytes(r, "requested_bytes")).raw("</td><td>").raw(Page.bytes(r, "allocated_bytes"))
                    .raw("</td><td>").raw(Page.bytes(r, "arena_bytes")).raw("</td><td>").text(Page.pct(r, "util_pct"))
                    .raw("</td><td>").text(Page.count(r, "arenas")).raw("</td><td>").text(Page.count(r, "ideal_arenas"))
                    .raw("</td><td>").text(Page.count(r, "pinned_arenas")).raw("</td><td>")
                    .raw(Page.bytes(r, "available_bytes")).raw("</td><td>").raw(Page.bytes(r, "unused_pool_bytes"))
                    .raw("</td></tr>\n");
        }
        h.raw("</tbody></table></div>\n");
        return true;
    }

    /**
     * The snapshot the per-class and per-arena views show, as the charts do (the program at exit, else the peak
     * of arena bytes, unless replay or chart was given --snapshot).
     */
    static Row shown(Page page) {
        Row r = page.files.mark(page.shown);
        return r != null ? r : page.files.mark(ReportFiles.END);
    }

    static boolean classes(Page page, Section s) {
        Row at = shown(page);
        if (at == null) {
            return false;
        }
        Html h = page.html;
        h.raw("<p class=\"at\">Shown ").text(atPhrase(page, at)).raw(".</p>\n");
        page.chart(s.chart(), "Size classes");
        List<Row> rows = new ArrayList<>();
        for (Row r : page.files.snapshot(s.csv(), at.get("snapshot"))) {
            if (r.lng("pools") > 0) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            h.el("p", "No size class has a pool in use.");
            return true;
        }
        h.raw("<details><summary>The ").text(rows.size() + " size classes in use").raw("</summary>\n")
                .raw("<div class=\"scroll\"><table>\n<thead><tr><th>block size</th><th>pools</th><th>blocks in use</th>"
                        + "<th>bytes in use</th><th>free in its pools</th><th>used</th></tr></thead>\n<tbody>\n");
        for (Row r : rows) {
            h.raw("<tr><td>").text(r.get("block_size_bytes") + " B").raw("</td><td>").text(Page.count(r, "pools"))
                    .raw("</td><td>").text(Page.count(r, "blocks_in_use")).raw("</td><td>")
                    .raw(Page.bytes(r, "bytes_in_use")).raw("</td><td>").raw(Page.bytes(r, "avail_bytes"))
                    .raw("</td><td>").text(Page.pct(r, "util_pct")).raw("</td></tr>\n");
        }
        h.raw("</tbody></table></div></details>\n");
        return true;
    }

    static boolean arenas(Page page, Section s) {
        Row at = shown(page);
        if (at == null) {
            return false;
        }
        Html h = page.html;
        List<Row> rows = page.files.snapshot(s.csv(), at.get("snapshot"));
        h.raw("<p class=\"at\">Shown ").text(atPhrase(page, at)).raw(": ")
                .text(rows.size() == 1 ? "1 arena" : rows.size() + " arenas").raw(".</p>\n");
        page.chart(s.chart(), "Arenas");
        if (rows.isEmpty()) {
            return true;
        }
        int[] bands = new int[4];
        for (Row r : rows) {
            bands[Math.min(3, (int) (r.num("occupancy_pct") / 25))]++;
        }
        h.raw("<p>By occupancy: ").text(String.format(Locale.ROOT, "%,d under 25 %%, %,d from 25 to 50 %%, %,d from 50"
                + " to 75 %%, %,d above 75 %%.", bands[0], bands[1], bands[2], bands[3])).raw("</p>\n");
        List<Row> listed = rows;
        String what = "Every arena";
        if (rows.size() > ARENAS_LISTED) {
            listed = new ArrayList<>(rows);
            listed.sort((a, b) -> Double.compare(a.num("occupancy_pct"), b.num("occupancy_pct")));
            listed = listed.subList(0, ARENAS_LISTED);
            what = "The " + ARENAS_LISTED + " emptiest arenas (all are in arenas.csv)";
        }
        java.util.Map<String, String> topSite = new java.util.HashMap<>();
        for (Row r : page.files.snapshot(ARENA_SITES, at.get("snapshot"))) {
            if (r.get("rank").equals("1")) {
                topSite.put(r.get("slot"), r.get("where") + " (" + r.get("blocks") + " blocks)");
            }
        }
        h.raw("<details><summary>").text(what).raw("</summary>\n<div class=\"scroll\"><table>\n<thead><tr>"
                + "<th>slot</th><th>address</th><th>used</th><th>pools in use</th><th>empty pools</th>"
                + "<th>never used</th><th>live blocks</th><th>pinned</th>"
                + (topSite.isEmpty() ? "" : "<th>most of its bytes from</th>") + "</tr></thead>\n<tbody>\n");
        for (Row r : listed) {
            h.raw(r.get("pinned").equals("1") ? "<tr class=\"pinned\"><td>" : "<tr><td>").text(r.get("slot"))
                    .raw("</td><td><code>").text(r.get("address")).raw("</code></td><td>")
                    .text(Page.pct(r, "occupancy_pct")).raw("</td><td>").text(Page.count(r, "used_pools"))
                    .raw("</td><td>").text(Page.count(r, "empty_pools")).raw("</td><td>")
                    .text(Page.count(r, "never_carved_pools")).raw("</td><td>").text(Page.count(r, "live_blocks"))
                    .raw("</td><td>").text(r.get("pinned").equals("1") ? "pinned" : "");
            if (!topSite.isEmpty()) {
                h.raw("</td><td class=\"where\"><code>").text(topSite.getOrDefault(r.get("slot"), "")).raw("</code>");
            }
            h.raw("</td></tr>\n");
        }
        h.raw("</tbody></table></div></details>\n");
        return true;
    }

    static boolean sites(Page page, Section s) {
        Row at = shown(page);
        if (at == null) {
            return false;
        }
        List<Row> rows = page.files.snapshot(s.csv(), at.get("snapshot"));
        Html h = page.html;
        h.raw("<p class=\"at\">Shown ").text(atPhrase(page, at)).raw(": ")
                .text(String.format(Locale.ROOT, "%,d lines with live blocks", rows.size())).raw(".</p>\n");
        page.chart(s.chart(), s.title());
        if (rows.isEmpty()) {
            return true;
        }
        rows = new ArrayList<>(rows);
        // what keeps pinned arenas first, then by bytes
        rows.sort((a, b) -> a.lng("blocks_in_pinned_arenas") != b.lng("blocks_in_pinned_arenas")
                ? Long.compare(b.lng("blocks_in_pinned_arenas"), a.lng("blocks_in_pinned_arenas"))
                : Long.compare(b.lng("block_bytes"), a.lng("block_bytes")));
        h.raw("<div class=\"scroll\"><table>\n<thead><tr><th>where (file:line in function)</th><th>live blocks</th>"
                + "<th>their bytes</th><th>arenas</th><th>pinned arenas</th><th>blocks in pinned arenas</th>"
                + "<th>arenas only it holds</th></tr></thead>\n<tbody>\n");
        for (Row r : rows.subList(0, Math.min(SITES_LISTED, rows.size()))) {
            String where = r.get("file").isEmpty() ? "(no Python frame: the interpreter itself)"
                    : PinnedArenas.shortFile(r.get("file")) + ":" + r.get("line") + " in " + r.get("function");
            String full = r.get("file").isEmpty() ? where : r.get("file") + ":" + r.get("line") + " in "
                    + r.get("function") + (r.get("callers").isEmpty() ? "" : " < " + r.get("callers"));
            h.raw(r.lng("blocks_in_pinned_arenas") > 0 ? "<tr class=\"pinned\">" : "<tr>")
                    .raw("<td class=\"where\" title=\"").text(full).raw("\"><code>").text(where)
                    .raw("</code></td><td>")
                    .text(Page.count(r, "blocks")).raw("</td><td>").raw(Page.bytes(r, "block_bytes")).raw("</td><td>")
                    .text(Page.count(r, "arenas")).raw("</td><td>").text(Page.count(r, "pinned_arenas"))
                    .raw("</td><td>").text(Page.count(r, "blocks_in_pinned_arenas")).raw("</td><td>")
                    .text(Page.count(r, "sole_arenas")).raw("</td></tr>\n");
        }
        h.raw("</tbody></table></div>\n");
        if (rows.size() > SITES_LISTED) {
            h.el("p", String.format(Locale.ROOT, "… and %,d more lines in sites.csv.", rows.size() - SITES_LISTED));
        }
        return true;
    }

    static boolean compare(Page page, Section s) {
        List<Row> rows = new ArrayList<>(page.files.rows(s.csv()));
        if (rows.isEmpty()) {
            return false;
        }
        Row base = rows.get(0);
        page.chart(s.chart(), s.title());
        rows.sort((a, b) -> a.lng("peak_arena_bytes") != b.lng("peak_arena_bytes")
                ? Long.compare(a.lng("peak_arena_bytes"), b.lng("peak_arena_bytes"))
                : Long.compare(a.lng("arena_bytes"), b.lng("arena_bytes")));
        Html h = page.html;
        h.raw("<div class=\"scroll\"><table>\n<thead><tr><th>configuration (its folder)</th><th>peak held M</th>"
                + "<th>vs the baseline</th><th>held at exit or end</th><th>arenas mapped</th><th>given back</th>"
                + "<th>peak M / peak L - 1</th></tr></thead>\n<tbody>\n");
        for (Row r : rows) {
            long diff = r.lng("peak_arena_bytes") - base.lng("peak_arena_bytes");
            String vs = r == base ? "baseline" : (diff > 0 ? "+" : diff < 0 ? "−" : "±") + Page.bytes(Math.abs(diff))
                    + String.format(Locale.ROOT, " (%+.1f %%)", 100.0 * diff / Math.max(1, base.lng("peak_arena_bytes")));
            h.raw("<tr><td><code>").text(r.get("profile")).raw("</code></td><td>").raw(Page.bytes(r, "peak_arena_bytes"))
                    .raw("</td><td>").raw(vs).raw("</td><td>").raw(Page.bytes(r, "arena_bytes")).raw("</td><td>")
                    .text(Page.count(r, "arenas_allocated_total")).raw("</td><td>")
                    .text(Page.count(r, "arenas_reclaimed")).raw("</td><td>")
                    .text(r.get("jw4_peak_frag").isEmpty() ? "–" : String.format(Locale.ROOT, "%.3f",
                            r.num("jw4_peak_frag"))).raw("</td></tr>\n");
        }
        h.raw("</tbody></table></div>\n");
        return true;
    }

    static boolean anomalies(Page page, Section s) {
        List<Row> rows = page.files.rows(s.csv());
        if (rows.isEmpty()) {
            return false;
        }
        Html h = page.html;
        h.raw("<div class=\"scroll\"><table>\n<thead><tr><th>kind</th><th>trace line</th><th>pointer</th>"
                + "<th>what the replay did</th></tr></thead>\n<tbody>\n");
        for (Row r : rows) {
            h.raw("<tr><td>").text(r.get("kind")).raw("</td><td>").text(r.get("line")).raw("</td><td><code>")
                    .text(r.get("ptr")).raw("</code></td><td>").text(r.get("description")).raw("</td></tr>\n");
        }
        h.raw("</tbody></table></div>\n");
        return true;
    }
}
