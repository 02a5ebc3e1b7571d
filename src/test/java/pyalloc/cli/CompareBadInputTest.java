package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.TestTraces;

/**
 * Bad input to {@code compare}: one line naming what is wrong, the documented exit code, never a stack trace, and
 * never a half-written comparison folder (nor a temporary one left behind); a previous comparison stays as it was.
 */
final class CompareBadInputTest {
    @TempDir
    Path dir;

    /** Recorded by 3.12.1: its header names the version. */
    private static final String TRACE = TestTraces.real("3.12", "rules").toString();

    static Stream<Arguments> badLists() {
        return Stream.of(
                Arguments.of(List.of("--profile", "3.9,3.99"), "unknown profile '3.99' (expected one of cpython-3.7,"),
                Arguments.of(List.of("--profile", ""), "--profile: empty list item (expected comma-separated values,"
                        + " e.g. --profile 3.9,3.12)"),
                Arguments.of(List.of("--profile", "3.9,,3.12"), "--profile: empty list item"),
                Arguments.of(List.of("--arena-size", "256K,"), "--arena-size: empty list item"),
                Arguments.of(List.of("--arena-size", "256K,300K"), "what-if profile: arena size must be a power of two"),
                Arguments.of(List.of("--profile", "3.12,cpython-3.12"),
                        "configuration cpython-3.12 is asked for twice (3.12; cpython-3.12)"),
                Arguments.of(List.of("--arena-size", "1M,1M"), "configuration cpython-3.12+arena1048576 is asked for"
                        + " twice (the trace's version --arena-size 1048576; the trace's version --arena-size 1048576)"),
                // 3.12's own release rule keeps the last empty arena: named, it is the same configuration.
                Arguments.of(List.of("--release-policy", "cpython,keep-last"), "configuration cpython-3.12 is asked"
                        + " for twice (the trace's version; the trace's version --release-policy keep-last)"),
                Arguments.of(List.of("--arena-policy", "cpython,best-fit"), "unknown arena policy 'best-fit' (expected"
                        + " cpython, address-ordered, least-used-first)"),
                Arguments.of(List.of("--release-policy", "keep-0"), "unknown release policy 'keep-0'"),
                Arguments.of(List.of("--threads", "0"), "--threads must be at least 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLists")
    void badConfigurationListIsOneUsageLineAndWritesNothing(List<String> options, String message) {
        Path out = dir.resolve("out");
        String[] args = Stream.concat(Stream.of("compare", TRACE, "-o", out.toString()), options.stream())
                .toArray(String[]::new);
        Cli r = Cli.run(args);
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertTrue(r.err().startsWith("pyalloc compare: " + message), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals("", r.out());
        assertNothingWritten(out);
    }

    @Test
    void aCorruptTraceIsOneLineWithItsLineAndExit3AndLeavesThePreviousComparison() throws IOException {
        Path out = dir.resolve("out");
        Cli good = Cli.run("compare", TRACE, "--profile", "3.9,3.12", "-o", out.toString(), "--no-charts", "-q");
        assertEquals(0, good.exit(), good.err());
        String before = Files.readString(out.resolve("compare.csv"));

        // A bad row far into a long trace: the models are replaying on their threads when the reader meets it.
        StringBuilder t = new StringBuilder("op,ptr,size,new_ptr,domain,ns,label\n");
        for (int i = 0; i < 200_000; i++) {
            String p = Long.toHexString(0x7f0000001000L + 16L * (i % 5000));
            t.append("alloc,0x").append(p).append(i == 150_000 ? ",4k" : ",16").append(",,obj,").append(i)
                    .append(",\n");
            t.append("free,0x").append(p).append(",,,obj,").append(i).append(",\n");
        }
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, t);
        for (String threads : new String[] {"1", "2"}) {
            Cli r = Cli.run("compare", bad.toString(), "--profile", "all", "-o", out.toString(), "--threads", threads);
            assertEquals(ExitCode.BAD_TRACE, r.exit(), r.err());
            assertEquals("pyalloc compare: " + bad + ":300002: size \"4k\" is not a non-negative integer\n", r.err());
            assertEquals("", r.out());
        }
        assertEquals(before, Files.readString(out.resolve("compare.csv")), "the previous comparison is untouched");
        assertNoTemporaryFolder();
    }

    @Test
    void anAnomalyUnderStrictStopsEveryModelWithExit5() throws IOException {
        StringBuilder t = new StringBuilder("op,ptr,size,new_ptr,domain,ns,label\n");
        for (int i = 0; i < 100_000; i++) {
            String p = Long.toHexString(0x7f0000001000L + 16L * (i % 5000));
            t.append("alloc,0x").append(p).append(",16,,obj,").append(i).append(",\n");
            t.append("free,0x").append(p).append(",,,obj,").append(i).append(",\n");
        }
        t.append("free,0x10,,,obj,100000,\n");  // a free of a pointer never allocated: line 200002
        Path trace = dir.resolve("t.csv");
        Files.writeString(trace, t);
        Path out = dir.resolve("out");
        Cli r = Cli.run("compare", trace.toString(), "--profile", "3.8,3.9,3.12", "--strict", "-o", out.toString(),
                "--threads", "2");
        assertEquals(ExitCode.ANOMALY, r.exit(), r.err());
        assertEquals("pyalloc compare: " + trace + ":200002: free of a pointer that is not live (0x10) (--strict)\n",
                r.err());
        assertNothingWritten(out);
    }

    @Test
    void aMissingTraceIsAnIoError() {
        Path out = dir.resolve("out");
        Cli r = Cli.run("compare", dir.resolve("nope.csv").toString(), "-o", out.toString());
        assertEquals(ExitCode.IO, r.exit());
        assertEquals("pyalloc compare: " + dir.resolve("nope.csv") + ": no such file or folder\n", r.err());
        assertNothingWritten(out);
    }

    private void assertNothingWritten(Path out) {
        assertFalse(Files.exists(out), "no comparison folder from a failed run");
        assertNoTemporaryFolder();
    }

    private void assertNoTemporaryFolder() {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> hidden = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
            assertEquals(List.of(), hidden, "no temporary folder left");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
