package pyalloc.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.cli.Cli;

/**
 * J&amp;W #1 does not depend on how fast the trace was recorded: the same events with the recorder's pauses
 * stretched (every 7th row 50 µs later, as a slower recording would make them) give the same mean, over the
 * allocation clock, while the trace-time moments of the peaks move.
 */
final class AllocationClockTest {
    @TempDir
    Path dir;

    @Test
    void meanFragmentationIgnoresTheTraceClock() throws IOException {
        Path trace = Path.of("traces/rules-3.8.pyat");
        List<String> slow = new ArrayList<>();
        {
            long delay = 0;
            int row = 0;
            for (String line : pyalloc.TestTraces.csvLines(trace)) {
                String[] f = line.split(",", -1);
                if (line.startsWith("#") || f[5].isEmpty() || f[5].equals("ns")) {
                    slow.add(line);
                    continue;
                }
                if (++row % 7 == 0) {
                    delay += 50_000;
                }
                f[5] = Long.toString(Long.parseLong(f[5]) + delay);
                slow.add(String.join(",", f));
            }
        }
        Path stretched = dir.resolve("stretched.csv");
        Files.write(stretched, slow);
        CSVRecord a = summary(trace.toString(), "a");
        CSVRecord b = summary(stretched.toString(), "b");
        assertEquals(a.get("jw1_mean_frag"), b.get("jw1_mean_frag"));
        assertEquals(a.get("allocated_total_bytes"), b.get("allocated_total_bytes"));
        assertNotEquals(a.get("peak_arena_bytes_at"), b.get("peak_arena_bytes_at"), "the trace clock did change");
    }

    private CSVRecord summary(String trace, String name) throws IOException {
        Path out = dir.resolve(name);
        Cli r = Cli.run("replay", trace, "-o", out.toString(), "--no-charts", "-q");
        assertEquals(0, r.exit(), r.err());
        return MeshingTest.rows(out.resolve("summary.csv")).get(0);
    }
}
