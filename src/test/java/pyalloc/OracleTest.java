package pyalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.replay.AddressCheck;
import pyalloc.replay.ReplayOptions;
import pyalloc.replay.ReplaySession;
import pyalloc.report.ReportSink;
import pyalloc.report.text.DebugMallocStatsText;
import pyalloc.stats.Snapshot;
import pyalloc.trace.EventBatch;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;

/**
 * Replays traces captured from the real interpreters (start-up and dictchurn, captured with CPython's statistics
 * as snapN.txt, and traces/workloads/rules.py recorded with {@code pyalloc record} on each version) and compares
 * every snapshot, byte for byte, with what that interpreter's own {@code _PyObject_DebugMallocStats} printed
 * at the same point. A new version or workload is a new fixture folder, no new Java.
 */
public final class OracleTest {

    public static Stream<Path> fixtures() throws IOException, URISyntaxException {
        Path root = Path.of(OracleTest.class.getResource("/cpython").toURI());
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().equals("trace.csv.gz")).map(Path::getParent)
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everySnapshotMatchesCPythonByteForByte(Path dir) throws IOException {
        TraceSource source = TraceSource.of(dir.resolve("trace.csv.gz").toString());
        AddressCheck result;
        try (TraceReader reader = TraceFormat.open(source, false, false)) {
            result = replayAndCompare(dir, reader);
        }
        assertTrue(result.checked() > 10_000, "addresses checked: " + result.checked());
        assertEquals(result.checked(), result.exact(), "first address mismatch: " + result.firstMismatch());
    }

    /**
     * The same trace with every pointer the program got after its middle row renamed (to the odd address
     * next to it, where no block can start): the replay can no longer find blocks by address, switches to
     * its pointer map half way with many blocks live, and must still print exactly what CPython printed.
     * Read by the replay's own reader, which parses chunks on both cores.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void renamingPointersHalfWayChangesNoNumber(Path dir, @TempDir Path tmp) throws IOException {
        Path renamed = tmp.resolve("renamed.csv");
        Files.write(renamed, renameFromMiddle(dir.resolve("trace.csv.gz")));
        TraceSource source = TraceSource.of(renamed.toString());
        AddressCheck result;
        try (TraceReader reader = TraceFormat.open(source, false, true)) {
            result = replayAndCompare(dir, reader);
        }
        assertTrue(result.exact() < result.checked(), "pointers were renamed");
    }

    private static List<String> renameFromMiddle(Path gz) throws IOException {
        List<String> lines;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        Map<String, String> names = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String[] f = line.split(",", -1);
            if (line.startsWith("#") || f.length < 5 || f[4].equals("raw")) {
                out.add(line);
                continue;
            }
            boolean late = i > lines.size() / 2;
            switch (f[0]) {
                case "alloc", "calloc" -> f[1] = bind(names, f[1], late);
                case "free" -> f[1] = names.getOrDefault(f[1], f[1]);
                case "realloc" -> {
                    String to = f[3].isEmpty() ? f[1] : f[3];
                    f[1] = names.getOrDefault(f[1], f[1]);
                    names.remove(f[1]);
                    f[3] = bind(names, to, late);
                }
                default -> {
                }
            }
            out.add(String.join(",", f));
        }
        return out;
    }

    private static String bind(Map<String, String> names, String ptr, boolean rename) {
        String name = rename ? "0x" + Long.toHexString(Long.parseLong(ptr.substring(2), 16) + 1) : ptr;
        names.put(ptr, name);
        return name;
    }

    /** Replays strictly (an anomaly fails the test) and compares every mark with CPython's statistics. */
    private static AddressCheck replayAndCompare(Path dir, TraceReader reader) throws IOException {
        Map<String, String> printed = new LinkedHashMap<>();
        ReplaySession session = new ReplaySession(strictAndChecked(dir), reader.header().hasTime(), printing(printed));
        for (EventBatch b; (b = reader.next()) != null; ) {
            session.accept(b);
        }
        assertMarksMatchCPython(dir, printed);
        return session.addressCheck();
    }

    /** The options of a fixture's replay: its interpreter's profile, every anomaly fatal, every address checked. */
    public static ReplayOptions strictAndChecked(Path dir) {
        String version = dir.getParent().getFileName().toString().replace("cpython-", "");
        AllocatorProfile profile = Profiles.byId(version).orElseThrow();
        return new ReplayOptions(profile, 100, 0.25, true, true);
    }

    /** A sink that keeps what {@code _PyObject_DebugMallocStats} would print at each mark, by label. */
    public static ReportSink printing(Map<String, String> printed) {
        return new ReportSink() {
            @Override
            public void onMark(Snapshot s) {
                printed.put(s.label(), DebugMallocStatsText.format(s));
            }
        };
    }

    /** Asserts that every statistics capture of the fixture is exactly what the replay printed at that mark. */
    public static void assertMarksMatchCPython(Path dir, Map<String, String> printed) throws IOException {
        int snaps = 0;
        // The start-up and dictchurn captures keep snapN.txt beside the trace; pyalloc record writes
        // trace.marks/<label>.txt.
        Path marks = Files.isDirectory(dir.resolve("trace.marks")) ? dir.resolve("trace.marks") : dir;
        try (Stream<Path> s = Files.list(marks)) {
            for (Path snap : s.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList()) {
                String label = snap.getFileName().toString().replace(".txt", "");
                assertTrue(printed.containsKey(label), "no mark " + label + " in " + dir);
                assertEquals(Files.readString(snap), printed.get(label), dir + " " + label);
                snaps++;
            }
        }
        assertTrue(snaps > 0);
    }
}
