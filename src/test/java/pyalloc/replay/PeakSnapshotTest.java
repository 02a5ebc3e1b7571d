package pyalloc.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pyalloc.TestTraces;
import pyalloc.cli.Cli;

/**
 * The automatic peak snapshot, on the shipped samples, against a replay that knows nothing of peaks: the trace
 * cut right after the peak's event with a mark of its own. The mark's row must equal the peak's (every
 * number, the Mesh count included), and so must their classes and arenas; cut one row earlier, M is lower, so
 * the peak is the first event at the maximum.
 */
final class PeakSnapshotTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"cache-3.12", "parser-3.9", "rules-3.8"})
    void peakEqualsAReplayCutAtItsEvent(String sample) throws IOException {
        Path trace = Path.of("traces", sample + ".pyat");
        Path full = replay(trace, "full");
        CSVRecord peak = only(rows(full.resolve("marks.csv")), "peak");
        CSVRecord summary = rows(full.resolve("summary.csv")).get(0);
        assertEquals(summary.get("peak_arena_bytes"), peak.get("arena_bytes"));
        assertEquals(summary.get("peak_arena_bytes_at"), peak.get("ns"), "the peak's moment, in trace ns");
        assertTrue(!peak.get("mesh_pools").isEmpty(), "the Mesh count was computed at the peak");

        List<String> lines = lines(trace);
        int line = Integer.parseInt(peak.get("line"));
        String ns = peak.get("ns");
        Path cut = replay(cutAfter(lines, line, ns, "cut"), "cut");
        CSVRecord atCut = only(rows(cut.resolve("marks.csv")), "cut");
        for (String column : rows(full.resolve("marks.csv")).get(0).getParser().getHeaderNames()) {
            if (!column.equals("trace") && !column.equals("snapshot") && !column.equals("line")) {
                assertEquals(peak.get(column), atCut.get(column), sample + ": " + column);
            }
        }
        for (String file : List.of("classes.csv", "arenas.csv")) {
            List<List<String>> a = values(rows(full.resolve(file)), "peak");
            List<List<String>> b = values(rows(cut.resolve(file)), "cut");
            assertTrue(!a.isEmpty());
            assertEquals(a, b, sample + ": " + file);
        }

        Path before = replay(cutAfter(lines, line - 1, ns, "before"), "before");
        CSVRecord atBefore = only(rows(before.resolve("marks.csv")), "before");
        assertTrue(Long.parseLong(atBefore.get("arena_bytes")) < Long.parseLong(peak.get("arena_bytes")),
                sample + ": M one row before the peak is below it");
    }

    private Path replay(Path trace, String name) {
        Path out = dir.resolve(name);
        Cli r = Cli.run("replay", trace.toString(), "-o", out.toString(), "--no-charts", "-q");
        assertEquals(0, r.exit(), r.err());
        return out;
    }

    /** Writes the trace's first {@code line} lines, then a mark row. */
    private Path cutAfter(List<String> lines, int line, String ns, String label) throws IOException {
        String header = lines.stream().filter(l -> !l.startsWith("#")).findFirst().orElseThrow();
        assertTrue(header.startsWith("op,ptr,size,new_ptr,domain,ns,label"), header);
        List<String> out = new ArrayList<>(lines.subList(0, line));
        out.add("mark,,,,," + ns + "," + label);
        Path p = dir.resolve(label + ".csv");
        Files.write(p, out);
        return p;
    }

    /** Returns the lines of the trace's CSV form. */
    static List<String> lines(Path trace) {
        return TestTraces.csvLines(trace);
    }

    static List<CSVRecord> rows(Path csv) throws IOException {
        try (Reader r = Files.newBufferedReader(csv);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            return p.getRecords();
        }
    }

    static CSVRecord only(List<CSVRecord> rows, String snapshot) {
        List<CSVRecord> match = rows.stream().filter(r -> r.get("snapshot").equals(snapshot)).toList();
        assertEquals(1, match.size(), snapshot);
        assertNotNull(match.get(0));
        return match.get(0);
    }

    /** Returns the rows of one snapshot, past the trace, profile and snapshot columns. */
    static List<List<String>> values(List<CSVRecord> rows, String snapshot) {
        return rows.stream().filter(r -> r.get("snapshot").equals(snapshot))
                .map(r -> r.toList().subList(3, r.size())).toList();
    }
}
