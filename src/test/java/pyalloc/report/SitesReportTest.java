package pyalloc.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.cli.Cli;
import pyalloc.report.csv.SitesCsv;

/**
 * The call-site outputs (README, "Call sites"): sites.csv, arena_sites.csv, site_timeline.csv, sites.png and the
 * summary's sites line; from a trace whose attribution is worked out by hand, from a trace recorded with sites,
 * and their absence for a trace without sites.
 */
final class SitesReportTest {
    @TempDir
    Path dir;

    static List<CSVRecord> rows(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }

    static List<String> header(Path file) throws IOException {
        return List.of(Files.readAllLines(file).get(0).split(","));
    }

    /**
     * 3.12's allocator, arenas placed page-aligned (63 pools of 16 KiB each), 512-byte blocks (31 a pool): 2,000
     * blocks from a.py:1 fill arena A (1,953) and start arena B (47); one block from b.py:2 (called from a.py:1)
     * joins them in B; all of A's blocks but the first are freed. Both arenas are pinned: A by one block of a.py:1,
     * which holds it alone, B by 47 of a.py:1 and 1 of b.py:2.
     */
    @Test
    void aHandMadeTraceIsAttributedAsWorkedOutByHand() throws IOException {
        List<String> lines = new ArrayList<>(List.of("op,ptr,size,label,site", "#frame,1,/app/a.py,1,f",
                "#frame,2,/app/b.py,2,g", "#site,1,1,", "#site,2,2,1"));
        for (int i = 0; i < 2000; i++) {
            lines.add("alloc,p" + i + ",512,,1");
        }
        lines.add("alloc,q,512,,2");
        for (int i = 1; i < 1953; i++) {
            lines.add("free,p" + i);
        }
        lines.add("mark,,,m,");
        Path trace = dir.resolve("hand.csv");
        Files.write(trace, lines);
        Path report = dir.resolve("hand");
        Cli r = Cli.run("replay", trace.toString(), "--profile", "cpython-3.12", "-o", report.toString(),
                "--no-charts");
        assertEquals(0, r.exit(), r.err());
        // No exit mark: the summary describes the end (the same state as at the mark "m", the last row).
        assertTrue(r.out().contains("sites      at the end: 2 arenas (2.00 MiB) pinned by 49 blocks; 48 of them from"
                + " a.py:1 in f\n"), r.out());
        assertTrue(r.out().contains("a.py:1 in f: 48 blocks in 2 pinned arenas, the only site in 1 arena\n"), r.out());
        assertTrue(r.out().contains("b.py:2 in g: 1 block in 1 pinned arena\n"), r.out());

        List<CSVRecord> sites = rows(report.resolve(SitesCsv.SITES)).stream()
                .filter(s -> s.get("snapshot").equals("m")).toList();
        assertEquals(2, sites.size());
        assertEquals(List.of("m", "1", "/app/a.py", "1", "f", "", "48", "24576", "24576", "2", "2", "48", "1"),
                sites.get(0).toList());
        assertEquals(List.of("m", "2", "/app/b.py", "2", "g", "a.py:1 in f", "1", "512", "512", "1", "1", "1", "0"),
                sites.get(1).toList());
        List<CSVRecord> arenas = rows(report.resolve(SitesCsv.ARENA_SITES)).stream()
                .filter(s -> s.get("snapshot").equals("m")).toList();
        assertEquals(3, arenas.size());
        assertEquals(List.of("1", "1", "1", "1", "1", "a.py:1 in f", "1", "512"),
                arenas.get(0).toList().subList(3, 11));
        assertEquals(List.of("1", "48", "2", "1", "1", "a.py:1 in f", "47", "24064"),
                arenas.get(1).toList().subList(3, 11));
        assertEquals(List.of("1", "48", "2", "2", "2", "b.py:2 in g", "1", "512"),
                arenas.get(2).toList().subList(3, 11));
    }

    static Path fixture(String name) {
        try {
            return Path.of(SitesReportTest.class.getResource("/sites/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** sites.py recorded on 3.12.1 with three frames per site; its addresses file lists the kept strings. */
    @Test
    void aRecordedTracesReportNamesItsLinesAndItsTwoCountsAgree() throws IOException {
        Path report = dir.resolve("recorded");
        Cli r = Cli.run("replay", fixture("sites-3.12.csv.gz").toString(), "-o", report.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(SitesCsv.SITE_COLUMNS.stream().map(c -> c.header()).toList(),
                header(report.resolve(SitesCsv.SITES)));
        assertEquals(SitesCsv.ARENA_SITE_COLUMNS.stream().map(c -> c.header()).toList(),
                header(report.resolve(SitesCsv.ARENA_SITES)));
        assertEquals(SitesCsv.TIMELINE_COLUMNS.stream().map(c -> c.header()).toList(),
                header(report.resolve(SitesCsv.TIMELINE)));

        long kept = Files.readAllLines(fixture("sites-3.12.addresses")).stream().filter(l -> l.startsWith("keep "))
                .count();
        CSVRecord keep = rows(report.resolve(SitesCsv.SITES)).stream()
                .filter(s -> s.get("snapshot").equals("pinned") && s.get("file").endsWith("/sites.py")
                        && s.get("function").equals("churn"))
                .filter(s -> s.get("callers").matches("sites\\.py:\\d+ in <module>"))
                .max((a, b) -> Long.compare(Long.parseLong(a.get("blocks")), Long.parseLong(b.get("blocks"))))
                .orElseThrow();
        // The kept strings, and the list's item array the same append resizes (40 pointers: a small block too).
        assertEquals(kept + 1, Long.parseLong(keep.get("blocks")), "the kept strings: " + keep);

        // The ledger kept event by event (site_timeline.csv) and the walk over the blocks (sites.csv) agree at the end.
        Map<String, CSVRecord> atEnd = new HashMap<>();
        for (CSVRecord s : rows(report.resolve(SitesCsv.SITES))) {
            if (s.get("snapshot").equals("end")) {
                atEnd.put(s.get("site"), s);
            }
        }
        List<CSVRecord> timeline = rows(report.resolve(SitesCsv.TIMELINE));
        String lastEvent = timeline.get(timeline.size() - 1).get("event");
        int compared = 0;
        for (CSVRecord t : timeline) {
            if (t.get("event").equals(lastEvent)) {
                CSVRecord s = atEnd.get(t.get("site"));
                assertEquals(s == null ? "0" : s.get("block_bytes"), t.get("block_bytes"), t.toString());
                assertEquals(s == null ? "0" : s.get("blocks"), t.get("blocks"), t.toString());
                compared++;
            }
        }
        assertTrue(compared >= 10, "sites followed: " + compared);

        BufferedImage png = ImageIO.read(report.resolve("sites.png").toFile());
        assertEquals(1200, png.getWidth());
        Files.delete(report.resolve("sites.png"));
        assertEquals(0, Cli.run("chart", report.toString()).exit());
        assertTrue(Files.exists(report.resolve("sites.png")), "pyalloc chart redraws sites.png from the CSV");
    }

    @Test
    void aTraceWithoutSitesHasNoSiteOutputs() throws IOException {
        Path trace = dir.resolve("plain.csv");
        Files.writeString(trace, "op,ptr,size\nalloc,1,48\nalloc,2,600\n");
        Path report = dir.resolve("plain");
        Cli r = Cli.run("replay", trace.toString(), "-o", report.toString());
        assertEquals(0, r.exit(), r.err());
        for (String f : List.of(SitesCsv.SITES, SitesCsv.ARENA_SITES, SitesCsv.TIMELINE, "sites.png")) {
            assertFalse(Files.exists(report.resolve(f)), f);
        }
        assertFalse(r.out().contains("\nsites "), r.out());
    }
}
