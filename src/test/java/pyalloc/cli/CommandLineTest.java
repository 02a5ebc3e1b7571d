package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.TestTraces;

/** The command line as a user meets it: help, version, exit codes, stdout formats, profile choice. */
final class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void helpTeachesCommandsExamplesAndExitCodes() {
        Cli top = Cli.run("--help");
        assertEquals(0, top.exit());
        for (String s : new String[] {"replay", "record", "verify", "chart", "profiles", "Examples:", "Exit codes:"}) {
            assertTrue(top.out().contains(s), s + " in\n" + top.out());
        }
        Cli replay = Cli.run("replay", "--help");
        for (String s : new String[] {"--profile", "cpython-3.7, cpython-3.8", "--arena-size", "--pool-size",
            "--alignment", "--threshold", "--emit", "--strict", "--lenient", "-o, --output-dir", "Examples:",
            "3   malformed trace", "5   anomaly found with --strict"}) {
            assertTrue(replay.out().contains(s), s + " in\n" + replay.out());
        }
    }

    /** An example a user copies from --help must run: every file it names under traces/ is shipped. */
    @Test
    void helpExamplesNameShippedTraces() {
        for (String command : new String[] {"replay", "verify", "chart", "record", "convert"}) {
            String help = Cli.run("--help").out() + Cli.run(command, "--help").out();
            Matcher m = Pattern.compile("traces/[\\w.-]+\\.(pyat|csv(\\.gz)?)").matcher(help);
            while (m.find()) {
                assertTrue(Files.isRegularFile(Path.of(m.group())), m.group() + " named in the help of " + command);
            }
            Matcher r = Pattern.compile("pyalloc chart reports/([\\w.-]+)").matcher(help);
            while (r.find()) {
                assertTrue(Files.isRegularFile(Path.of("traces", r.group(1) + ".pyat")),
                        r.group() + " in the help of " + command + " is no shipped trace's report");
            }
        }
    }

    @Test
    void versionAndUsageErrors() {
        assertTrue(Cli.run("--version").out().startsWith("pyalloc 0.1.0"));
        Cli none = Cli.run();
        assertEquals(ExitCode.USAGE, none.exit());
        Cli bad = Cli.run("replay", "x.csv", "--profile", "cpython-2.7");
        assertEquals(ExitCode.USAGE, bad.exit());
        assertTrue(bad.err().contains("unknown profile 'cpython-2.7' (expected one of cpython-3.7"), bad.err());
        Cli size = Cli.run("replay", "x.csv", "--pool-size", "lots");
        assertEquals(ExitCode.USAGE, size.exit());
        assertTrue(size.err().contains("'lots' is not a size"), size.err());
        Cli unknown = Cli.run("replay", "x.csv", "--frobnicate");
        assertEquals(ExitCode.USAGE, unknown.exit());
        assertTrue(unknown.err().contains("Try 'pyalloc replay --help'"), unknown.err());
    }

    @Test
    void emitDebugmallocstatsPrintsCPythonsLayoutAtEveryMarkThenTheEnd() throws IOException {
        Path trace = TestTraces.real("3.9", "dictchurn");
        Cli r = Cli.run("replay", trace.toString(), "--profile", "cpython-3.9", "--emit", "debugmallocstats",
                "--no-report");
        assertEquals(0, r.exit(), r.err());
        String expected = "# mark snap1\n" + Files.readString(trace.resolveSibling("snap1.txt"))
                + "# mark snap2\n" + Files.readString(trace.resolveSibling("snap2.txt"))
                + "# mark snap3\n" + Files.readString(trace.resolveSibling("snap3.txt"));
        assertTrue(r.out().startsWith(expected));
        assertTrue(r.out().substring(expected.length()).startsWith("# end\nSmall block threshold = 512, in 32 size classes."));
        assertEquals("", r.err());
    }

    @Test
    void profileComesFromTheTraceHeaderElseTheNewestWithANote() {
        String named = TestTraces.write(dir, "n.csv", "# python 3.8.18", "op,ptr,size", "alloc,0x10,48");
        Cli r = Cli.run("replay", named, "--no-report");
        assertTrue(r.out().contains("profile    cpython-3.8 (from the trace header)"), r.out());
        String anon = TestTraces.write(dir, "a.csv", "op,ptr,size", "alloc,0x10,48");
        Cli n = Cli.run("replay", anon, "--no-report");
        assertTrue(n.out().contains("profile    cpython-3.15 (the trace names no interpreter"), n.out());
    }

    @Test
    void whatIfOptionsDeriveAProfile() {
        String t = TestTraces.write(dir, "w.csv", "op,ptr,size,label", "alloc,0x10,20,", "mark,,,here");
        Cli r = Cli.run("replay", t, "--profile", "3.12", "--alignment", "8", "--pool-size", "4K", "--arena-size",
                "256K", "--no-report", "--emit", "debugmallocstats");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Small block threshold = 512, in 64 size classes."), r.out());
        assertTrue(r.out().contains("\n    2     24           1               1           167\n"),
                "8-byte classes: 20 bytes -> class 2 (24 B); (4096 - 48) / 24 = 168 blocks per pool\n" + r.out());
        assertTrue(r.out().contains("1 arenas * 262144 bytes/arena"), r.out());
        Cli bad = Cli.run("replay", t, "--pool-size", "3000", "--no-report");
        assertEquals(ExitCode.USAGE, bad.exit());
        assertTrue(bad.err().contains("pool size must be a power of two"), bad.err());
    }

    @Test
    void quietPrintsNothingAndStdinWorks() throws IOException {
        Path t = Path.of(TestTraces.write(dir, "q.csv", "op,ptr,size", "alloc,0x10,48"));
        java.io.InputStream old = System.in;
        try {
            System.setIn(Files.newInputStream(t));
            Cli r = Cli.run("replay", "-", "-q", "-o", dir.resolve("rep").toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.out());
            assertEquals("", r.err());
            assertTrue(Files.exists(dir.resolve("rep/summary.csv")));
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void profilesListsEveryVersion() {
        Cli r = Cli.run("profiles");
        assertTrue(r.out().contains("cpython-3.9,16,32,512,4096,262144,64,yes,0"), r.out());
        assertTrue(r.out().contains("cpython-3.10,16,32,512,16384,1048576,64,yes,48"), r.out());
        assertTrue(r.out().contains("cpython-3.14,16,32,512,16384,1048576,64,yes,64,no,3.14.10\n"), r.out());
        assertTrue(r.out().contains("cpython-3.15,16,32,512,16384,1048576,64,yes,64,no,3.15.2\n"), r.out());
        // Built --with-pymalloc-hugepages: no interpreter here was, so nothing checked it.
        assertTrue(r.out().contains("cpython-3.15-hugepages,16,32,512,16384,2097152,128,yes,64,yes,none (what-if)\n"),
                r.out());
    }

    /**
     * Issue 12/13: a trace whose header names a version pyalloc does not model is replayed with the nearest
     * profile, never silently; verify refuses it (nothing to prove it against).
     */
    @Test
    void anUnmodelledVersionIsNeverSilent() throws IOException {
        for (String version : new String[] {"3.16.0", "3.6.15", "2.7.18"}) {
            Path t = dir.resolve("v" + version + ".csv");
            Files.writeString(t, "# python " + version + "\nop,ptr,size\nalloc,0x10,32\nfree,0x10,\n");
            Cli replay = Cli.run("replay", t.toString(), "--no-report");
            assertEquals(ExitCode.OK, replay.exit(), replay.err());
            String nearest = version.equals("3.16.0") ? "cpython-3.15" : "cpython-3.7";
            assertTrue(replay.err().contains("warning: " + t + ": the trace was recorded by Python " + version
                    + ", which pyalloc does not model; replaying with " + nearest), replay.err());
            assertTrue(replay.out().contains(nearest + " (the trace names Python " + version), replay.out());
            Cli verify = Cli.run("verify", t.toString());
            assertEquals(ExitCode.USAGE, verify.exit(), verify.out());
            assertTrue(verify.err().contains("recorded by Python " + version + ", which pyalloc does not model"),
                    verify.err());
        }
    }
}
