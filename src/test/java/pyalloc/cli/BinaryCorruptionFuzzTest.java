package pyalloc.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.BeforeContainer;
import pyalloc.TestTraces;
import pyalloc.trace.EventBatch;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;
import pyalloc.trace.TraceWriter;

/**
 * Random byte-level corruption of a real trace in the binary format (blocks stored and zstd-compressed): the
 * replay ends in a clean replay (0), a clean malformed-trace error (3), or anomalies under no flag (0), and never
 * an internal error (1). A binary trace's error names the byte offset of the record it is in. (CSV and gzip traces
 * are mutated by {@link CorruptionFuzzTest}.)
 */
final class BinaryCorruptionFuzzTest {
    private static byte[] plain;
    private static byte[] stored;
    private static byte[] compressed;

    @BeforeContainer
    static void load() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TestTraces.real("3.10", "startup")))) {
            plain = Arrays.copyOf(in.readAllBytes(), 120_000);  // a few thousand rows keep each try fast
        }
        int lastLine = plain.length;
        while (plain[lastLine - 1] != '\n') {
            lastLine--;
        }
        byte[] whole = Arrays.copyOf(plain, lastLine);
        stored = binary(whole, false);
        compressed = binary(whole, true);
    }

    /** The trace in format 2, in blocks of 500 events so that a corruption can land in any part of a block. */
    private static byte[] binary(byte[] csv, boolean compress) throws IOException {
        Path f = Files.createTempFile("fuzz", ".csv");
        try {
            Files.write(f, csv);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (TraceReader r = TraceFormat.open(TraceSource.of(f.toString()), false, false);
                    TraceWriter w = TraceFormat.BINARY.writer(out, r, compress)) {
                for (EventBatch b; (b = r.next()) != null; ) {
                    for (int from = 0; from < b.count; from += 500) {
                        EventBatch part = new EventBatch(500);
                        for (int i = from; i < Math.min(b.count, from + 500); i++) {
                            copy(b, i, part, part.count++);
                        }
                        w.write(part);
                        ((pyalloc.trace.binary.BinaryTraceWriter) w).endBlock();
                    }
                }
                w.finish();
            }
            return out.toByteArray();
        } finally {
            Files.delete(f);
        }
    }

    private static void copy(EventBatch from, int i, EventBatch to, int j) {
        to.op[j] = from.op[i];
        to.domain[j] = from.domain[i];
        to.ptr[j] = from.ptr[i];
        to.newPtr[j] = from.newPtr[i];
        to.size[j] = from.size[i];
        to.ns[j] = from.ns[i];
        to.line[j] = from.line(i);
        to.label[j] = from.label[i];
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

    private static Cli assertClean(Path file) {
        Cli r = Cli.run("replay", file.toString(), "--no-report", "-q");
        assertTrue(r.exit() == ExitCode.OK || r.exit() == ExitCode.BAD_TRACE, r.exit() + ": " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(r.err().lines().count() <= 1, r.err());
        return r;
    }

    private static void assertCleanBinary(byte[] trace, long seed, int edits) throws IOException {
        Path f = Files.createTempFile("fuzz", ".pyat");
        try {
            byte[] b = corrupt(trace, seed, edits);
            Files.write(f, b);
            Cli r = assertClean(f);
            if (r.exit() == ExitCode.BAD_TRACE && b[0] == trace[0]) {
                assertTrue(r.err().startsWith("pyalloc replay: " + f + ": byte ")
                        || r.err().contains(": gzip stream"), r.err());
            }
        } finally {
            Files.delete(f);
        }
    }

    @Property(tries = 100)
    void corruptedBinaryTraceNeverCrashes(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int edits)
            throws IOException {
        assertCleanBinary(stored, seed, edits);
    }

    /**
     * Corruption behind a valid checksum (what a faulty writer, not a faulty disk, makes): bytes of stored blocks
     * changed and their records' CRC recomputed, so that the event decoder itself meets the bad bytes.
     */
    @Property(tries = 150)
    void badBlocksWithValidChecksumsNeverCrash(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int edits)
            throws IOException {
        Random r = new Random(seed);
        byte[] b = stored.clone();
        List<int[]> blocks = new ArrayList<>();  // payload start, length
        for (int at = 12; at + 9 <= b.length; ) {
            int length = ByteBuffer.wrap(b, at + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (b[at] == 'B') {
                blocks.add(new int[] {at, length});
            }
            at += 9 + length;
        }
        int[] block = blocks.get(r.nextInt(blocks.size()));
        for (int i = 0; i < edits; i++) {
            int at = block[0] + 5 + r.nextInt(block[1]);
            b[at] = r.nextBoolean() ? (byte) r.nextInt(256) : (byte) (b[at] ^ (1 << r.nextInt(8)));
        }
        CRC32C crc = new CRC32C();
        crc.update(b, block[0], 5 + block[1]);
        ByteBuffer.wrap(b, block[0] + 5 + block[1], 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        Path f = Files.createTempFile("fuzz", ".pyat");
        try {
            Files.write(f, b);
            Cli c = assertClean(f);
            if (c.exit() == ExitCode.BAD_TRACE) {
                assertTrue(c.err().startsWith("pyalloc replay: " + f + ": byte " + block[0] + ": block "), c.err());
            }
        } finally {
            Files.delete(f);
        }
    }

    @Property(tries = 100)
    void corruptedCompressedBinaryTraceNeverCrashes(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int edits)
            throws IOException {
        assertCleanBinary(compressed, seed, edits);
    }
}
