package pyalloc.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.cli.Cli;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;
import pyalloc.trace.SiteTable;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;

/**
 * Issue 15: {@code pyalloc record --site-depth 3} on every CPython this machine runs (pyenv 3.7-3.13, Debian's
 * /usr/bin/python3, Debian's 3.14 and 3.15). The program (src/test/resources/sites/sites.py) tells which address
 * each block of its known lines got ({@code id()}); the site the trace gives that address must be that line, with
 * its callers; the trace must verify exactly (reading the frames allocated nothing); and the replay must name the
 * line whose long-lived blocks pin the arenas, with the pinned arenas that hold them, as the program's own
 * addresses and the verified arenas count them. The traces are binary (format 2, what {@code record} writes by
 * default); {@link #binaryAndCsvRecordingsAttributeAlike} records the same program to both formats.
 */
final class RecordSitesTest {
    @TempDir
    static Path dir;
    static Path program;
    static List<String> source;

    @BeforeAll
    static void program() throws IOException {
        try (InputStream in = RecordSitesTest.class.getResourceAsStream("/sites/sites.py")) {
            program = dir.resolve("sites.py");
            Files.write(program, in.readAllBytes());
        }
        source = Files.readAllLines(program);
    }

    /** Returns the line marked {@code # SITE: name} in sites.py. */
    static int line(String name) {
        for (int i = 0; i < source.size(); i++) {
            if (source.get(i).endsWith("# SITE: " + name)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line marked " + name);
    }

    static Stream<String> interpreters() {
        return Stream.concat(Interpreters.pyenvVersions(), Stream.of("system", "debian-3.14", "debian-3.15"));
    }

    static Path python(String name) throws IOException {
        if (name.equals("system")) {
            return Interpreters.system();
        }
        if (name.startsWith("debian-")) {
            return Interpreters.debian(name.substring("debian-".length()));
        }
        return Interpreters.pyenv(name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interpreters")
    void eachBlockHasTheLineThatMadeItTheTraceVerifiesAndThePinningLineIsNamed(String name) throws IOException {
        Path python = python(name);
        assumeTrue(python != null, name + " is not installed here (pyenv, /usr/bin/python3, or"
                + " src/test/scripts/debian-cpython.sh for Debian's 3.14 and 3.15)");
        Path trace = dir.resolve(name + ".pyat");
        Path addresses = dir.resolve(name + ".addresses");
        Cli rec = Cli.run("record", "-o", trace.toString(), "--site-depth", "3", "--", python.toString(),
                program.toString(), "20000", addresses.toString());
        assertEquals(0, rec.exit(), rec.err());
        assertFalse(rec.err().contains("without them"), rec.err());
        String minor = rec.err().replaceFirst("(?s).*: Python (\\d+\\.\\d+)\\.\\d+.*", "$1");

        // A trace with sites verifies exactly: the recorder allocated nothing through MEM or OBJ.
        Cli ver = Cli.run("verify", trace.toString());
        assertEquals(0, ver.exit(), ver.out() + ver.err());
        String[] verified = ver.out().split("\n");
        assertTrue(verified[1].matches("addresses: (\\d+) of \\1 blocks exact"), ver.out());
        assertEquals("marks: 3 of 3 identical", verified[2]);

        // The site of each block of a known line is that line, with its callers.
        Map<String, List<Long>> made = Files.readAllLines(addresses).stream().map(l -> l.split(" "))
                .filter(f -> f.length == 2)
                .collect(Collectors.groupingBy(f -> f[0], Collectors.mapping(f -> Long.decode(f[1]),
                        Collectors.toList())));
        Sites sites = Sites.read(trace);
        String file = program.toString();
        assertEquals(List.of(frame(file, "top", "<module>")), sites.stackAt(made.get("top").get(0)));
        assertEquals(List.of(frame(file, "make", "make"), frame(file, "outer", "outer"),
                frame(file, "inner", "<module>")), sites.stackAt(made.get("inner").get(0)));
        List<Long> kept = made.get("keep");
        assertEquals(400, kept.size());
        for (long address : kept) {
            assertEquals(List.of(frame(file, "keep", "churn"), frame(file, "churn", "<module>")),
                    sites.stackAt(address));
        }

        // Code objects that replace one another at one address: each block has its own code object's line.
        List<String[]> execs = Files.readAllLines(addresses).stream().filter(l -> l.startsWith("exec "))
                .map(l -> l.split(" ")).toList();
        assertEquals(40, execs.size());
        for (String[] e : execs) {
            assertEquals(List.of(new SiteTable.Frame("<string>", Integer.parseInt(e[2]), "<module>"),
                    frame(file, "exec", "<module>")), sites.stackAt(Long.decode(e[1])), String.join(" ", e));
        }

        // The replay names the keep line as the top pinning site, holding the pinned arenas that hold its blocks.
        Path report = dir.resolve(name + "-report");
        Cli replay = Cli.run("replay", trace.toString(), "-o", report.toString(), "--no-charts");
        assertEquals(0, replay.exit(), replay.err());
        List<CSVRecord> pinnedRows = rows(report.resolve("sites.csv"), "pinned");
        CSVRecord top = pinnedRows.stream().max((a, b) -> Long.compare(num(a, "blocks_in_pinned_arenas"),
                num(b, "blocks_in_pinned_arenas"))).orElseThrow();
        assertEquals(file, top.get("file"));
        assertEquals(line("keep"), num(top, "line"));
        assertEquals("churn", top.get("function"));
        assertEquals(kept.size(), num(top, "blocks"), "every kept string, and nothing else, comes from that line");
        int arenaSize = Profiles.byId("cpython-" + minor).orElseThrow().arenaSize();
        List<long[]> pinnedArenas = rows(report.resolve("arenas.csv"), "pinned").stream()
                .filter(r -> r.get("pinned").equals("1"))
                .map(r -> new long[] {Long.decode(r.get("address")), 0}).toList();
        long keptInPinned = 0;
        for (long address : kept) {
            for (long[] arena : pinnedArenas) {
                if (address >= arena[0] && address < arena[0] + arenaSize) {
                    arena[1]++;
                    keptInPinned++;
                }
            }
        }
        long arenasWithKept = pinnedArenas.stream().filter(a -> a[1] > 0).count();
        assertTrue(arenasWithKept >= 2, name + ": the kept strings pin " + arenasWithKept + " arenas");
        assertEquals(arenasWithKept, num(top, "pinned_arenas"));
        assertEquals(keptInPinned, num(top, "blocks_in_pinned_arenas"));
        assertTrue(num(top, "sole_arenas") >= 1 && num(top, "sole_arenas") <= arenasWithKept, top.toString());
        String summaryLine = "; " + String.format("%,d", keptInPinned) + " of them from sites.py:" + line("keep")
                + " in churn";
        assertTrue(replay.out().contains(summaryLine), replay.out());
        System.out.println(name + ": " + verified[1] + "; the keep line holds " + keptInPinned + " blocks in "
                + arenasWithKept + " of " + pinnedArenas.size() + " pinned arenas, alone in " + top.get("sole_arenas")
                + "; " + sites.table.frames() + " frames, " + sites.table.sites() + " sites");
    }

    /**
     * The recorder's two writers carry the same sites: sites.py recorded to .pyat and to .csv (two runs of one
     * program) verifies exactly from both, and the two replays attribute the program's own lines alike in
     * sites.csv (blocks and bytes per line and stack at every snapshot; arena columns depend on where the
     * kernel put the arenas in each run, so they are left out). The binary trace converted to CSV has its
     * site column and definitions.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"3.12", "debian-3.14"})
    void binaryAndCsvRecordingsAttributeAlike(String name) throws IOException {
        Path python = python(name);
        assumeTrue(python != null, name + " is not installed here");
        Map<String, List<String>> attributed = new java.util.HashMap<>();
        for (String ext : List.of("pyat", "csv")) {
            Path folder = Files.createDirectories(dir.resolve("alike-" + name + "-" + ext));
            Path trace = folder.resolve("sites." + ext);
            Cli rec = Cli.run("record", "-o", trace.toString(), "--site-depth", "2", "--", python.toString(),
                    program.toString(), "5000", folder.resolve("addresses").toString());
            assertEquals(0, rec.exit(), rec.err());
            Cli ver = Cli.run("verify", trace.toString());
            assertEquals(0, ver.exit(), ver.out() + ver.err());
            assertTrue(ver.out().split("\n")[1].matches("addresses: (\\d+) of \\1 blocks exact"), ver.out());
            Path report = folder.resolve("report");
            Cli replay = Cli.run("replay", trace.toString(), "-o", report.toString(), "--no-charts", "-q");
            assertEquals(0, replay.exit(), replay.err());
            List<String> rows = new ArrayList<>();
            for (String snapshot : List.of("churned", "pinned", "exit")) {
                for (CSVRecord r : rows(report.resolve("sites.csv"), snapshot)) {
                    if (r.get("file").equals(program.toString())) {
                        rows.add(String.join(",", snapshot, r.get("line"), r.get("function"), r.get("callers"),
                                r.get("blocks"), r.get("requested_bytes"), r.get("block_bytes")));
                    }
                }
            }
            rows.sort(null);
            assertTrue(rows.stream().anyMatch(r -> r.startsWith("pinned," + line("keep") + ",churn,")), rows.toString());
            attributed.put(ext, rows);
            if (ext.equals("pyat")) {
                Path csv = folder.resolve("converted.csv");
                assertEquals(0, Cli.run("convert", "-q", trace.toString(), csv.toString()).exit());
                List<String> lines = TraceFiles.lines(csv);
                assertTrue(lines.contains("op,ptr,size,new_ptr,domain,ns,label,site"));
                assertTrue(lines.contains("# sites 2"));
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("#frame,") && l.contains(",churn")));
            }
        }
        assertEquals(attributed.get("csv"), attributed.get("pyat"));
        System.out.println(name + ": .pyat and .csv attribute " + attributed.get("pyat").size()
                + " rows of sites.py alike");
    }

    /** --no-children takes the recorder's variables out of the environment: not before it has read them. */
    @org.junit.jupiter.api.Test
    void sitesAreRecordedWithoutChildrenAndLeftOutOnRequest() throws IOException {
        Path python = Interpreters.anyPyenv();
        assumeTrue(python != null, "no CPython 3.7+ under pyenv");
        Path with = dir.resolve("no-children.csv");
        Cli rec = Cli.run("record", "-o", with.toString(), "--no-children", "--", python.toString(), "-c", "x = 1");
        assertEquals(0, rec.exit(), rec.err());
        assertTrue(TraceFiles.lines(with).contains("op,ptr,size,new_ptr,domain,ns,label,site"));
        Path without = dir.resolve("no-sites.csv");
        rec = Cli.run("record", "-o", without.toString(), "--no-sites", "--", python.toString(), "-c", "x = 1");
        assertEquals(0, rec.exit(), rec.err());
        List<String> lines = TraceFiles.lines(without);
        assertTrue(lines.contains("op,ptr,size,new_ptr,domain,ns,label"));
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("#frame,") || l.startsWith("# sites")));
        assertEquals(2, Cli.run("record", "-o", without.toString(), "--no-sites", "--site-depth", "2", "--",
                python.toString(), "-c", "x = 1").exit());
        assertEquals(2, Cli.run("record", "-o", without.toString(), "--site-depth", "17", "--",
                python.toString(), "-c", "x = 1").exit());
    }

    static SiteTable.Frame frame(String file, String marker, String function) {
        return new SiteTable.Frame(file, line(marker), function);
    }

    static long num(CSVRecord r, String column) {
        return Long.parseLong(r.get(column));
    }

    static List<CSVRecord> rows(Path csv, String snapshot) throws IOException {
        try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            List<CSVRecord> out = new ArrayList<>();
            for (CSVRecord rec : p) {
                if (rec.get("snapshot").equals(snapshot)) {
                    out.add(rec);
                }
            }
            return out;
        }
    }

    /** The site of every block live at a trace's end, by address, and the trace's site table. */
    record Sites(Long2IntOpenHashMap siteOf, SiteTable table) {
        static Sites read(Path trace) throws IOException {
            Long2IntOpenHashMap siteOf = new Long2IntOpenHashMap();
            try (TraceReader r = TraceFormat.open(TraceSource.of(trace.toString()), false, false)) {
                for (EventBatch b; (b = r.next()) != null; ) {
                    for (int i = 0; i < b.count; i++) {
                        if (b.op[i] == Op.MARK && b.label[i].equals("pinned")) {
                            return new Sites(siteOf, r.sites().orElseThrow());
                        }
                        if (b.op[i] == Op.ALLOC || b.op[i] == Op.CALLOC) {
                            siteOf.put(b.ptr[i], b.site[i]);
                        } else if (b.op[i] == Op.REALLOC) {
                            siteOf.remove(b.ptr[i]);
                            siteOf.put(b.newPtr[i], b.site[i]);
                        } else if (b.op[i] == Op.FREE) {
                            siteOf.remove(b.ptr[i]);
                        }
                    }
                }
            }
            throw new AssertionError(trace + " has no mark 'pinned'");
        }

        List<SiteTable.Frame> stackAt(long address) {
            assertTrue(siteOf.containsKey(address), "no live block at 0x" + Long.toHexString(address));
            int site = siteOf.get(address);
            assertNotNull(table);
            return table.stack(site);
        }
    }
}
