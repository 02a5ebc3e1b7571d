package pyalloc.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.cli.Cli;

/**
 * index.html read as text: nothing in it points outside the page (the browser test checks the same by running
 * it, where a browser is at hand), text from the trace is escaped, and a section appears when its file is in
 * the folder.
 */
final class HtmlPageTest {
    @TempDir
    static Path dir;
    static Path report;

    /** A trace with two marks, one of them a label with markup in it, and blocks left in two arenas. */
    @BeforeAll
    static void replay() throws IOException {
        StringBuilder t = new StringBuilder("op,ptr,size,label\n");
        for (int i = 0; i < 30_000; i++) {
            t.append("alloc,").append(i).append(",64,\n");
        }
        t.append("mark,,,full\n");
        for (int i = 0; i < 30_000; i++) {
            if (i % 50 != 0) {
                t.append("free,").append(i).append(",,\n");
            }
        }
        t.append("mark,,,<b>after</b>&\"more\"\n");
        Path trace = dir.resolve("made.csv");
        Files.writeString(trace, t);
        report = dir.resolve("report");
        Cli r = Cli.run("replay", trace.toString(), "-o", report.toString(), "--profile", "cpython-3.8", "-q");
        assertEquals(0, r.exit(), r.err());
    }

    static String page() throws IOException {
        return Files.readString(report.resolve(HtmlPage.FILE));
    }

    @Test
    void nothingPointsOutsideThePage() throws IOException {
        String html = page();
        Matcher m = Pattern.compile("(?i)\\b(src|href|srcset|action|poster|data)\\s*=\\s*[\"']?([^\"' >]*)").matcher(html);
        List<String> outside = new ArrayList<>();
        int refs = 0;
        while (m.find()) {
            refs++;
            String url = m.group(2);
            if (!(url.startsWith("data:") || url.startsWith("#"))) {
                outside.add(m.group());
            }
        }
        assertEquals(List.of(), outside);
        assertTrue(refs >= 5, "the charts and the table of contents: " + refs);
        for (String banned : new String[] {"<script", "<link", "<iframe", "<object", "<embed", "@import", "http:",
            "https:", "//"}) {
            assertFalse(html.toLowerCase().replaceAll("data:[^\"]*", "").contains(banned), banned);
        }
        Matcher css = Pattern.compile("url\\(\\s*['\"]?([^)'\"]*)").matcher(html);
        while (css.find()) {
            assertTrue(css.group(1).startsWith("data:") || css.group(1).startsWith("#"), css.group());
        }
    }

    @Test
    void textFromTheTraceIsEscaped() throws IOException {
        String html = page();
        assertFalse(html.contains("<b>after"), "a mark's label is text, not markup");
        assertTrue(html.contains("&lt;b&gt;after&lt;/b&gt;&amp;&quot;more&quot;"));
    }

    /** {@code pyalloc chart} redraws charts, findings and page as the replay wrote them, titles included. */
    @Test
    void chartRebuildsThePageAsReplayWroteIt() throws IOException {
        Path copy = Files.createDirectory(dir.resolve("redrawn"));
        try (var files = Files.list(report)) {
            for (Path f : files.toList()) {
                if (f.toString().endsWith(".csv") && !f.getFileName().toString().equals("findings.csv")) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
        }
        Cli r = Cli.run("chart", copy.toString());
        assertEquals(0, r.exit(), r.err());
        for (String f : new String[] {"findings.csv", "footprint.svg", "arenas.svg", "classes.svg", HtmlPage.FILE}) {
            assertEquals(Files.readString(report.resolve(f)), Files.readString(copy.resolve(f)), f);
        }
        assertTrue(Files.readString(copy.resolve("footprint.svg")).contains("aria-label=\"Python heap over time: made"
                + " (cpython-3.8)\""), "the title names the trace and the profile, as replay's does");
    }

    @Test
    void aSectionAppearsWhenItsFileIsInTheFolder() throws IOException {
        Path copy = Files.createDirectory(dir.resolve("copy"));
        for (String f : new String[] {"summary.csv", "marks.csv", "timeline.csv", "findings.csv", "arenas.csv"}) {
            Files.copy(report.resolve(f), copy.resolve(f));
        }
        HtmlPage.write(copy, "copy", pyalloc.report.chart.ChartedSnapshot.choose(copy, null, false));
        String html = Files.readString(copy.resolve(HtmlPage.FILE));
        assertTrue(html.contains("<section id=\"snapshots\">"));
        assertTrue(html.contains("<section id=\"arenas\">"));
        assertFalse(html.contains("<section id=\"classes\">"), "no classes.csv");
        assertFalse(html.contains("<img"), "no chart in the folder");
        assertFalse(html.contains("href=\"#classes\""), "no link to a section that is not there");
        assertTrue(page().contains("<section id=\"classes\">"));
    }
}
