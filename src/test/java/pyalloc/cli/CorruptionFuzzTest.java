package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;
import pyalloc.TestTraces;

/**
 * Random byte-level corruption of a real trace, plain and gzip: the replay ends in a clean replay (0), a
 * clean malformed-trace error (3), or anomalies under no flag (0), and never an internal error (1).
 */
final class CorruptionFuzzTest {
    private static byte[] plain;

    @BeforeContainer
    static void load() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TestTraces.real("3.10", "startup")))) {
            plain = Arrays.copyOf(in.readAllBytes(), 120_000);  // a few thousand rows keep each try fast
        }
    }

    private static byte[] corrupt(byte[] in, long seed, int edits) {
        Random r = new Random(seed);
        byte[] b = in.clone();
        for (int i = 0; i < edits; i++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(5)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b[at] = (byte) ",\n\"0x-#a\r".charAt(r.nextInt(9));
                case 2 -> b = Arrays.copyOf(b, Math.max(1, at));  // cut short
                case 3 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) r.nextInt(256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                default -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c.length == 0 ? new byte[] {'x'} : c;
                }
            }
        }
        return b;
    }

    private static void assertClean(Path file) {
        Cli r = Cli.run("replay", file.toString(), "--no-report", "-q");
        assertTrue(r.exit() == ExitCode.OK || r.exit() == ExitCode.BAD_TRACE, r.exit() + ": " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(r.err().lines().count() <= 1, r.err());
    }

    @Property(tries = 150)
    void corruptedPlainTraceNeverCrashes(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int edits)
            throws IOException {
        Path f = Files.createTempFile("fuzz", ".csv");
        try {
            Files.write(f, corrupt(plain, seed, edits));
            assertClean(f);
        } finally {
            Files.delete(f);
        }
    }

    @Property(tries = 60)
    void corruptedGzipTraceNeverCrashes(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int edits)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(plain);
        }
        Path f = Files.createTempFile("fuzz", ".csv.gz");
        try {
            Files.write(f, corrupt(bytes.toByteArray(), seed, edits));
            assertClean(f);
        } finally {
            Files.delete(f);
        }
    }
}
