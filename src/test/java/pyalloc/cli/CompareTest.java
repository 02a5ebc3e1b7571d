package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.TestTraces;
import pyalloc.obmalloc.profile.ProfileSpec;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;

/**
 * {@code compare} replays one read of a trace through many models side by side; each configuration's report must be
 * the one {@code replay} writes for it alone, file by file (summary.csv but its two timing columns). Over every
 * real trace in src/test/resources/cpython and every modelled version; the heavy sweep adds what-ifs and policies.
 */
final class CompareTest {
    /** summary.csv's columns that measure the run rather than the trace. */
    static final List<String> TIMINGS = List.of("wall_ms", "events_per_s");
    static final List<String> FILES = List.of("summary.csv", "anomalies.csv", "marks.csv", "classes.csv", "arenas.csv",
            "timeline.csv");

    static Stream<Path> traces() throws IOException, URISyntaxException {
        Path root = Path.of(CompareTest.class.getResource("/cpython").toURI());
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().equals("trace.csv.gz")).sorted().toList().stream();
        }
    }

    static List<String> versions() {
        return Arrays.stream(Profiles.values()).filter(p -> p.checkedAgainst().isPresent())
                .map(p -> p.profile().id()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    void everyVersionInOnePassEqualsItsOwnReplay(Path trace, @TempDir Path dir) throws IOException {
        // Two model threads whatever the machine: the batches are shared, copied and handed over.
        Cli c = Cli.run("compare", trace.toString(), "--profile", "all", "-o", dir.resolve("compare").toString(),
                "--no-charts", "-q", "--samples", "100", "--threads", "2");
        assertEquals(0, c.exit(), c.err());
        assertEquals("", c.out() + c.err());
        List<String> ids = versions();
        assertEquals(ids, column(dir.resolve("compare/compare.csv"), "profile"), "one row per version, in order");
        for (String id : ids) {
            Path alone = dir.resolve("replay-" + id);
            Cli r = Cli.run("replay", trace.toString(), "--profile", id, "-o", alone.toString(), "--no-charts", "-q",
                    "--samples", "100");
            assertEquals(0, r.exit(), r.err());
            assertSameReport(alone, dir.resolve("compare").resolve(id), id);
            assertEquals(withoutTimings(dir.resolve("compare/compare.csv"), id),
                    withoutTimings(alone.resolve("summary.csv"), id), id + ": compare.csv row = its summary.csv row");
        }
    }

    @Test
    void theComparisonFolderHoldsEveryReportCompareCsvAndCompareChart(@TempDir Path dir) throws IOException {
        Path trace = TestTraces.real("3.12", "rules");
        Path out = dir.resolve("c");
        Cli c = Cli.run("compare", trace.toString(), "--profile", "3.8,3.12", "--arena-size", "256K,1M", "-o",
                out.toString(), "--samples", "200");
        assertEquals(0, c.exit(), c.err());
        List<String> ids = List.of("cpython-3.8+arena262144", "cpython-3.8+arena1048576", "cpython-3.12+arena262144",
                "cpython-3.12+arena1048576");
        assertEquals(ids, column(out.resolve("compare.csv"), "profile"), "the cross product, in the order given");
        List<String> compare = Files.readAllLines(out.resolve("compare.csv"));
        for (int i = 0; i < ids.size(); i++) {
            Path report = out.resolve(ids.get(i));
            assertEquals(Files.readAllLines(report.resolve("summary.csv")), List.of(compare.get(0), compare.get(i + 1)),
                    "compare.csv's row is the configuration's own summary.csv row");
            for (String png : List.of("footprint.png", "classes.png", "arenas.png")) {
                assertTrue(Files.size(report.resolve(png)) > 0, png);
            }
        }
        BufferedImage chart = ImageIO.read(out.resolve("compare.png").toFile());
        assertEquals(1200, chart.getWidth());
        assertEquals(800, chart.getHeight());

        // The table: ranked by peak M (ties by M at the end), the baseline is the first configuration given.
        List<CSVRecord> rows = records(out.resolve("compare.csv"));
        List<String> ranked = rows.stream().sorted(Comparator
                .comparingLong((CSVRecord r) -> Long.parseLong(r.get("peak_arena_bytes")))
                .thenComparingLong(r -> Long.parseLong(r.get("arena_bytes")))).map(r -> r.get("profile")).toList();
        List<String> table = c.out().lines().filter(l -> l.matches("\\s+\\d+  cpython-.*")).toList();
        assertEquals(ranked, table.stream().map(l -> l.trim().split("\\s+")[1]).toList(), c.out());
        assertTrue(c.out().contains("baseline   cpython-3.8+arena262144, the first configuration"), c.out());
        assertTrue(table.stream().filter(l -> l.contains(" baseline ")).findFirst().orElseThrow()
                .contains("cpython-3.8+arena262144"), c.out());

        // --emit csv prints compare.csv's rows; pyalloc chart redraws compare.png from the CSV files alone.
        Path again = dir.resolve("again");
        Cli csv = Cli.run("compare", trace.toString(), "--profile", "3.8,3.12", "--arena-size", "256K,1M", "-o",
                again.toString(), "--samples", "200", "--emit", "csv", "--no-charts");
        assertEquals(0, csv.exit(), csv.err());
        assertEquals(withoutTimings(out.resolve("compare.csv"), null), withoutTimings(again.resolve("compare.csv"), null));
        assertEquals(Files.readString(again.resolve("compare.csv")), csv.out());
        assertFalse(Files.exists(again.resolve("compare.png")));
        Files.copy(out.resolve("compare.csv"), again.resolve("compare.csv"), StandardCopyOption.REPLACE_EXISTING);
        for (String id : ids) {
            Files.copy(out.resolve(id).resolve("timeline.csv"), again.resolve(id).resolve("timeline.csv"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        assertEquals(0, Cli.run("chart", again.toString(), "--title", "trace").exit());
        BufferedImage redrawn = ImageIO.read(again.resolve("compare.png").toFile());
        for (int y = 0; y < chart.getHeight(); y++) {
            for (int x = 0; x < chart.getWidth(); x++) {
                assertEquals(chart.getRGB(x, y), redrawn.getRGB(x, y), "compare.png differs at " + x + "," + y);
            }
        }
        assertTrue(Files.exists(again.resolve(ids.get(0)).resolve("footprint.png")), "and each report's charts");
    }

    /** What-ifs and policies too, and both ways of stepping the models (one thread, several). */
    @Tag("heavy")
    @ParameterizedTest(name = "{0}")
    @MethodSource("traces")
    void whatIfsAndPoliciesInOnePassEqualTheirOwnReplays(Path trace, @TempDir Path dir) throws IOException {
        List<List<String>> whatIfs = new ArrayList<>();
        for (String v : new String[] {"3.8", "3.12"}) {
            for (String size : new String[] {"256K", "1M"}) {
                whatIfs.add(List.of("--profile", v, "--arena-size", size));
            }
        }
        assertOnePassEqualsReplays(trace, dir.resolve("what-ifs"),
                List.of("--profile", "3.8,3.12", "--arena-size", "256K,1M"), whatIfs);
        String[] arenaRules = {"cpython", "address-ordered", "least-used-first"};
        // The trace's version's own release rule is cpython under another name: compare refuses it as a duplicate.
        boolean keepsLast;
        try (TraceReader r = TraceFormat.open(TraceSource.of(trace.toString()), false, false)) {
            keepsLast = ProfileSpec.FROM_TRACE.resolve(r.header().pythonVersion()).profile().keepLastEmptyArena();
        }
        String[] releaseRules = {"cpython", keepsLast ? "all" : "keep-last", "keep-2"};
        String[] poolRules = {"cpython", "address-ordered"};
        List<List<String>> policies = new ArrayList<>();
        for (String a : arenaRules) {
            for (String r : releaseRules) {
                for (String p : poolRules) {
                    policies.add(List.of("--arena-policy", a, "--release-policy", r, "--pool-policy", p));
                }
            }
        }
        assertOnePassEqualsReplays(trace, dir.resolve("policies"), List.of("--arena-policy",
                String.join(",", arenaRules), "--release-policy", String.join(",", releaseRules), "--pool-policy",
                String.join(",", poolRules)), policies);
    }

    /**
     * Runs compare with {@code lists} on one and on two model threads, and replay with each of {@code each} (in the
     * order of the cross product), and asserts every configuration's report is the same.
     */
    static void assertOnePassEqualsReplays(Path trace, Path dir, List<String> lists, List<List<String>> each)
            throws IOException {
        for (String threads : new String[] {"1", "2"}) {
            List<String> args = new ArrayList<>(List.of("compare", trace.toString()));
            args.addAll(lists);
            args.addAll(List.of("-o", dir.resolve("compare-" + threads).toString(), "--no-charts", "-q", "--samples",
                    "100", "--threads", threads));
            Cli c = Cli.run(args.toArray(String[]::new));
            assertEquals(0, c.exit(), c.err());
        }
        List<String> ids = column(dir.resolve("compare-1/compare.csv"), "profile");
        assertEquals(each.size(), ids.size(), "configurations: " + ids);
        for (int k = 0; k < each.size(); k++) {
            Path alone = dir.resolve("replay-" + k);
            List<String> args = new ArrayList<>(List.of("replay", trace.toString()));
            args.addAll(each.get(k));
            args.addAll(List.of("-o", alone.toString(), "--no-charts", "-q", "--samples", "100"));
            Cli run = Cli.run(args.toArray(String[]::new));
            assertEquals(0, run.exit(), run.err());
            String id = ids.get(k);
            assertEquals(List.of(id), column(alone.resolve("summary.csv"), "profile"), "configuration " + k);
            assertSameReport(alone, dir.resolve("compare-1").resolve(id), id);
            assertSameReport(alone, dir.resolve("compare-2").resolve(id), id);
        }
    }

    /** Asserts two report folders hold the same files with the same contents, summary.csv but its timings. */
    static void assertSameReport(Path expected, Path actual, String what) throws IOException {
        for (String f : FILES) {
            if (f.equals("summary.csv")) {
                assertEquals(withoutTimings(expected.resolve(f), null), withoutTimings(actual.resolve(f), null),
                        what + ": " + f);
            } else {
                assertEquals(Files.readString(expected.resolve(f)), Files.readString(actual.resolve(f)),
                        what + ": " + f);
            }
        }
    }

    /** Returns the rows of a summary-like file (for configuration {@code id} only, unless null) without timings. */
    static List<List<String>> withoutTimings(Path file, String id) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (CSVRecord r : records(file)) {
            if (id != null && !r.get("profile").equals(id)) {
                continue;
            }
            List<String> row = new ArrayList<>();
            r.toMap().forEach((k, v) -> row.add(TIMINGS.contains(k) ? k : k + "=" + v));
            rows.add(row);
        }
        assertTrue(!rows.isEmpty(), file + " has a row" + (id == null ? "" : " for " + id));
        return rows;
    }

    static List<String> column(Path file, String column) throws IOException {
        return records(file).stream().map(r -> r.get(column)).toList();
    }

    static List<CSVRecord> records(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }
}
