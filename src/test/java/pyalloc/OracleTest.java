package pyalloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.obmalloc.profile.Profiles;
import pyalloc.report.text.DebugMallocStatsText;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;

/**
 * Replays traces captured from the real interpreters (shared/traces, and traces/workloads/rules.py recorded
 * with {@code pyalloc record} on each version) and compares
 * every snapshot, byte for byte, with what that interpreter's own {@code _PyObject_DebugMallocStats} printed
 * at the same point. A new version or workload is a new fixture folder, no new Java.
 */
final class OracleTest {

    static Stream<Path> fixtures() throws IOException, URISyntaxException {
        Path root = Path.of(OracleTest.class.getResource("/cpython").toURI());
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().equals("trace.csv.gz")).map(Path::getParent)
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everySnapshotMatchesCPythonByteForByte(Path dir) throws IOException {
        String version = dir.getParent().getFileName().toString().replace("cpython-", "");
        AllocatorProfile profile = Profiles.byId(version).orElseThrow();
        Map<String, String> printed = new LinkedHashMap<>();
        TraceSource source = TraceSource.of(dir.resolve("trace.csv.gz").toString());
        Replay.Result result;
        try (TraceReader reader = TraceFormat.detect(source).open(source, false)) {
            result = new Replay(new Replay.Options(profile, 100, 0.25, true, true)).run(reader,
                    new Replay.Listener() {
                        @Override
                        public void onMark(pyalloc.stats.Snapshot s) {
                            printed.put(s.label(), DebugMallocStatsText.format(s));
                        }
                    });
        }
        int snaps = 0;
        // shared/traces keeps snapN.txt beside the trace; pyalloc record writes trace.marks/<label>.txt.
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
        assertTrue(result.addressesChecked() > 10_000, "addresses checked: " + result.addressesChecked());
        assertEquals(result.addressesChecked(), result.addressesExact(),
                "first address mismatch: " + result.firstMismatch());
    }
}
