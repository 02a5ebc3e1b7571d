package pyalloc.report.html;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pyalloc.report.ComparisonContext;
import pyalloc.report.ComparisonSink;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportFiles;
import pyalloc.report.WriteFailures;
import pyalloc.report.ReportSink;
import pyalloc.report.chart.ChartedSnapshot;
import pyalloc.report.html.Sections.Section;
import pyalloc.stats.RunResult;

/**
 * {@code index.html}: the report as one page a person reads, with the findings first, every chart with a sentence
 * on how to read it, the tables and a glossary. Self-contained (styles inline, charts embedded, no script, no
 * link out of the page), so it opens from a file anywhere. Built from the folder's files alone, after them, so
 * that {@code pyalloc chart} rebuilds it.
 */
public final class HtmlPage implements ReportSink {
    public static final String FILE = "index.html";

    /** The symbols and words the page uses, each with its meaning (docs/metrics.md has the formulas). */
    static final List<String[]> GLOSSARY = List.of(
            new String[] {"arena", "a piece of memory pymalloc takes from the operating system at once (256 KiB up"
                    + " to Python 3.9, 1 MiB from 3.10) and cuts into pools; it is given back only when every"
                    + " block in it is free"},
            new String[] {"pool", "a part of an arena (4 KiB up to 3.9, 16 KiB from 3.10) that serves blocks of one"
                    + " size class"},
            new String[] {"block, size class", "pymalloc serves each request of up to 512 bytes with a block of the"
                    + " next multiple of 16 bytes (8 in older builds): its size class"},
            new String[] {"L", "live data: the bytes the program asked for, over its live objects"},
            new String[] {"B", "bytes in allocated blocks: L rounded up to the size classes"},
            new String[] {"Iq", "B - L: what rounding up to size classes costs"},
            new String[] {"F", "free blocks in pools that hold live blocks: reusable by the same size class only"},
            new String[] {"E", "empty pools in live arenas (emptied, or never used yet): reusable by any size class"},
            new String[] {"Hd, Q, A", "pymalloc's bookkeeping: pool headers, pool tails too short for a block, and"
                    + " the pool an arena loses when its start is not on a pool boundary"},
            new String[] {"M", "held by pymalloc: arenas × arena size = L + Iq + F + E + Hd + Q + A"},
            new String[] {"used, util", "L / M: the share of what pymalloc holds that is live data"},
            new String[] {"frag", "M / L - 1: bytes held beyond the live data, per byte of live data"},
            new String[] {"pinned arena", "an arena with live blocks but mostly empty (under 25 % full by default):"
                    + " a few objects keep the whole arena from the operating system"},
            new String[] {"if packed, ideal arenas", "the arenas the live blocks would need if perfectly packed (the"
                    + " compaction bound); no allocator that never moves objects reaches it"},
            new String[] {"snapshot, mark", "the allocator's full state at a mark the program wrote"
                    + " (pyalloc.mark(\"label\")), at exit, at the peak of M, or at the end of the trace"});

    private final ReportContext context;

    public HtmlPage(ReportContext context) {
        this.context = context;
    }

    @Override
    public void onEnd(RunResult result) throws IOException {
        write(context.dir(), context.title(), ChartedSnapshot.choose(context.dir(), context.snapshot(), false));
    }

    /** The comparison output: index.html of the comparison folder, after its findings and compare.png. */
    public static ComparisonSink comparison(ComparisonContext context) {
        return results -> write(context.dir(), context.title(), null);
    }

    /**
     * Writes index.html into the report folder {@code dir} from its files; {@code title} names the report, {@code
     * at} is the snapshot the per-class and per-arena views show (the charts'; null in a comparison folder).
     */
    public static void write(Path dir, String title, ChartedSnapshot at) throws IOException {
        Page page = new Page(ReportFiles.of(dir), at == null ? ReportFiles.END : at.label());
        List<Section> shown = new ArrayList<>();
        Html body = page.html;
        for (Section s : Sections.ALL) {
            boolean present = (s.csv() != null && page.files.has(s.csv()))
                    || (s.chart() != null && page.files.has(s.chart()));
            if (!present) {
                continue;
            }
            int mark = body.toString().length();
            body.raw("<section id=\"").text(s.id()).raw("\">\n");
            body.el("h2", s.title());
            body.el("p", "how", s.howToRead());
            if (s.body().write(page, s)) {
                body.raw("</section>\n");
                shown.add(s);
            } else {
                body.truncate(mark);
            }
        }
        Html h = new Html();
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .raw("<title>").text("pyalloc: " + title).raw("</title>\n<style>\n").raw(CSS).raw("</style>\n")
                .raw("</head>\n<body>\n<header>\n");
        h.el("h1", "Where pymalloc's memory went: " + title);
        h.el("p", "intro", "CPython gives most objects of up to 512 bytes memory from its own allocator, pymalloc,"
                + " which takes memory from the operating system in arenas, cuts them into pools of one block size"
                + " each, and gives an arena back only when every block in it is free. pyalloc replayed this"
                + " program's allocations through an exact model of pymalloc; this page says where the memory went"
                + " and why it was or was not given back.");
        if (page.files.has(ReportFiles.TIMELINE) && !page.files.has("footprint.png")) {
            h.el("p", "note", "This report was written without its charts (--no-charts): pyalloc chart on this folder"
                    + " draws them and rebuilds this page with them.");
        }
        h.raw("<nav>");
        for (Section s : shown) {
            h.raw("<a href=\"#").text(s.id()).raw("\">").text(s.title()).raw("</a> ");
        }
        h.raw("<a href=\"#glossary\">Glossary</a></nav>\n</header>\n<main>\n");
        h.raw(body.toString());
        glossary(h);
        h.raw("</main>\n<footer>Written by pyalloc from the files of this folder; <code>pyalloc chart FOLDER</code>"
                + " redraws the charts, the findings and this page.</footer>\n</body>\n</html>\n");
        try {
            Files.writeString(dir.resolve(FILE), h.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw WriteFailures.naming(dir.resolve(FILE), e);  // a full disk says which file
        }
    }

    private static void glossary(Html h) {
        h.raw("<section id=\"glossary\">\n");
        h.el("h2", "Glossary");
        h.raw("<dl>\n");
        for (String[] g : GLOSSARY) {
            h.el("dt", g[0]);
            h.el("dd", g[1]);
        }
        h.raw("</dl>\n</section>\n");
    }

    private static final String CSS = """
            :root { --ink: #1d232a; --muted: #56606b; --line: #d8dde3; --accent: #0072b2; --warn: #d55e00;
                    --paper: #ffffff; --tint: #f4f6f8; }
            * { box-sizing: border-box; }
            body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
                   color: var(--ink); background: var(--paper); }
            header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
            header { padding-top: 24px; }
            h1 { font-size: 1.7rem; margin: 0 0 .4rem; }
            h2 { font-size: 1.35rem; margin: 2.2rem 0 .3rem; padding-top: .6rem; border-top: 1px solid var(--line); }
            main > section:first-child h2 { border-top: none; }
            h3 { font-size: 1.05rem; margin: 0 0 .3rem; }
            p.intro { color: var(--muted); max-width: 60rem; }
            p.how { color: var(--muted); font-style: italic; margin-top: 0; max-width: 60rem; }
            p.at { font-weight: 600; }
            p.note { background: #fff6d6; padding: .4rem .8rem; border-radius: 6px; }
            nav { display: flex; flex-wrap: wrap; gap: .3rem 1rem; padding: .6rem 0; border-bottom: 1px solid var(--line); }
            nav a { color: var(--accent); text-decoration: none; }
            nav a:hover { text-decoration: underline; }
            article.finding { border-left: 5px solid var(--warn); background: var(--tint); padding: .8rem 1rem;
                              margin: .8rem 0; border-radius: 0 6px 6px 0; }
            article.finding p { margin: .3rem 0; max-width: 62rem; }
            p.advice { color: #20442a; }
            details { margin: .4rem 0; }
            summary { cursor: pointer; color: var(--accent); }
            .rule, footer { color: var(--muted); font-size: .9rem; }
            .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .6rem; }
            .tile { background: var(--tint); border-radius: 6px; padding: .6rem .8rem; }
            .tile .v { font-size: 1.35rem; font-weight: 700; }
            .tile .n { font-weight: 600; }
            .tile .d { color: var(--muted); font-size: .85rem; }
            figure { margin: .8rem 0; }
            figure img, figure svg { display: block; width: 100%; height: auto; max-width: 1180px;
                                     border: 1px solid var(--line); }
            .scroll { overflow-x: auto; }
            table { border-collapse: collapse; font-size: .92rem; margin: .5rem 0; }
            th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
            th { background: var(--tint); position: sticky; top: 0; }
            td:first-child, th:first-child { text-align: left; }
            tr.pinned td { color: var(--warn); }
            td.gap { text-align: center; color: var(--muted); }
            td.where { text-align: left; white-space: normal; min-width: 24rem; }
            th { white-space: normal; }
            dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.2rem; }
            dt { font-weight: 700; }
            dd { margin: 0; }
            code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
            footer { padding: 2rem 24px; }
            """;
}
