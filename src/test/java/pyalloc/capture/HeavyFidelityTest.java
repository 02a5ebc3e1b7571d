package pyalloc.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.cli.Cli;

/**
 * The fidelity sweep: every workload of traces/workloads with marks (not bigheap.py, a speed test) recorded
 * on every installed CPython 3.7-3.13 and verified, every block address and every mark. Minutes long, so
 * only in {@code mvn -Pheavy test}.
 */
@Tag("heavy")
final class HeavyFidelityTest {
    @TempDir
    static Path dir;

    static Stream<Arguments> runs() {
        return RecordTest.versions().flatMap(v -> Stream.of(
                Arguments.of(v, "cache.py", "30000"),
                Arguments.of(v, "parser.py", "4"),
                Arguments.of(v, "service.py", "20000"),
                Arguments.of(v, "rules.py", "")));
    }

    @ParameterizedTest(name = "CPython {0}: {1} {2}")
    @MethodSource("runs")
    void recordedWorkloadVerifiesExactly(String minor, String workload, String arg)
            throws IOException, InterruptedException {
        Path python = Interpreters.pyenv(minor);
        assumeTrue(python != null, "CPython " + minor + " is not installed");
        Path trace = dir.resolve(minor + "-" + workload.replace(".py", "") + ".pyat");
        String script = Path.of("traces/workloads", workload).toAbsolutePath().toString();
        // In a JVM of its own: the workloads print, and in this JVM they would print into surefire's channel.
        Cli rec = arg.isEmpty()
                ? Cli.runInChildJvm(dir, "", "record", "-q", "-o", trace.toString(), "--python", python.toString(),
                        "--", script)
                : Cli.runInChildJvm(dir, "", "record", "-q", "-o", trace.toString(), "--python", python.toString(),
                        "--", script, arg);
        assertEquals(0, rec.exit(), rec.err());
        Cli ver = Cli.run("verify", trace.toString());
        System.out.println("CPython " + minor + " " + workload + " " + arg + ": " + ver.out().replace("\n", "; "));
        assertEquals(0, ver.exit(), ver.out());
        assertTrue(ver.out().matches("(?s)profile: cpython-" + java.util.regex.Pattern.quote(minor)
                + " \\(from the trace header\\)\naddresses: (\\d+) of \\1 blocks exact\nmarks: (\\d+) of \\2 identical\n"),
                ver.out());
    }
}
