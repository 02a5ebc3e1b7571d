package pyalloc.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pyalloc.cli.Cli;

/**
 * The page of a shipped sample in a real browser (headless Chromium, Debian's {@code chromium}): it loads with
 * the network off and makes no request, logs no error, shows its findings, charts and tables, and every image
 * decodes. A screenshot of each page is kept in target/screenshots/. Without a browser the tests are skipped,
 * saying so; {@code .ci/run} installs one.
 */
final class PageInBrowserTest {
    /** Evaluated in the page: what a reader would see. */
    static final String CHECK = """
            (() => {
              const imgs = [...document.images];
              return {
                sections: [...document.querySelectorAll('section[id]')].map(s => s.id),
                findings: document.querySelectorAll('article.finding').length,
                images: imgs.length,
                svgs: document.querySelectorAll('figure svg').length,
                undecoded: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
                tables: document.querySelectorAll('table').length,
                glossary: document.querySelectorAll('#glossary dt').length,
                title: document.title
              };
            })()""";

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path dir;
    static Chromium browser;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        Optional<Path> binary = Chromium.find();
        assumeTrue(binary.isPresent(), "no Chromium: install Debian's chromium (apt-get install chromium, as .ci/run"
                + " does) or set PYALLOC_CHROMIUM to a Chromium or Chrome binary");
        browser = Chromium.start(binary.get(), Files.createDirectory(dir.resolve("profile")));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (browser != null) {
            browser.close();
        }
    }

    /** Returns the shipped sample {@code name} in traces/, in whichever form it ships. */
    static Path sample(String name) {
        for (String ext : new String[] {".pyat", ".csv.gz", ".csv"}) {
            Path p = Path.of("traces", name + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new AssertionError("no shipped sample traces/" + name + ".*");
    }

    /** Replays a shipped sample into a report folder and returns its page. */
    static Path page(String sample) {
        Path report = dir.resolve(sample);
        Cli r = Cli.run("replay", sample(sample).toString(), "-o", report.toString(), "-q");
        assertEquals(0, r.exit(), r.err());
        return report.resolve(HtmlPage.FILE);
    }

    @SuppressWarnings("unchecked")
    static void assertReads(String sample) throws IOException, InterruptedException {
        Chromium.Visit v = browser.visit(page(sample), CHECK, SCREENSHOTS.resolve(sample + ".png"), 1280);
        assertEquals(List.of(), v.errors(), sample + ": errors in the browser");
        assertEquals(List.of(), v.requests(), sample + ": requests beyond the page");
        Map<String, Object> c = v.check();
        List<String> sections = (List<String>) c.get("sections");
        for (String s : List.of("findings", "glance", "footprint", "snapshots", "classes", "arenas", "glossary")) {
            assertTrue(sections.contains(s), sample + ": no section " + s + " in " + sections);
        }
        assertEquals("findings", sections.get(0), "the findings come first");
        assertTrue((Double) c.get("findings") >= 1, sample + ": no finding shown");
        assertTrue((Double) c.get("images") + (Double) c.get("svgs") >= 3, sample + ": charts " + c);
        assertEquals(List.of(), c.get("undecoded"), sample + ": images that do not decode");
        assertTrue((Double) c.get("tables") >= 3, sample + ": tables " + c);
        assertTrue((Double) c.get("glossary") >= 10, sample + ": glossary " + c);
    }

    @Test
    void cacheSampleReadsInTheBrowser() throws IOException, InterruptedException {
        assertReads("cache-3.12");
    }

    @Tag("heavy")
    @ParameterizedTest
    @ValueSource(strings = {"parser-3.9", "service-3.11", "rules-3.8", "service-sites-3.12"})
    void everyShippedSampleReadsInTheBrowser(String sample) throws IOException, InterruptedException {
        assertReads(sample);
    }

    /** The check itself: a page that reaches for the network is caught, by its request and by its error. */
    @Test
    void aPageThatReachesOutIsCaught() throws IOException, InterruptedException {
        Path bad = dir.resolve("bad.html");
        Files.writeString(bad, "<!DOCTYPE html><html><head><title>bad</title></head><body>"
                + "<img src=\"http://example.invalid/chart.png\" alt=\"x\"><section id=\"findings\"></section>"
                + "<script>console.error('broken')</script></body></html>");
        Chromium.Visit v = browser.visit(bad, CHECK, SCREENSHOTS.resolve("bad.png"), 800);
        assertEquals(List.of("http://example.invalid/chart.png"), v.requests());
        assertTrue(v.errors().stream().anyMatch(e -> e.contains("broken")), v.errors().toString());
        assertTrue(v.errors().stream().anyMatch(e -> e.contains("example.invalid")), v.errors().toString());
        assertEquals(List.of("x"), v.check().get("undecoded"));
    }
}
