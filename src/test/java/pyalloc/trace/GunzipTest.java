package pyalloc.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import pyalloc.TestTraces;

/**
 * trace/Gunzip (issue 18): members read until the stream ends, whatever the pace of its source; failures that
 * say where; and the same outcome from a source that gives a few bytes per read (a slow pipe) as from a file.
 * The two cases CorruptionFuzzTest's long run found are pinned here.
 */
final class GunzipTest {

    /** A source that hands out 1 to 7 bytes per read, as a pipe whose writer is slow does. */
    static InputStream trickle(byte[] b, long seed) {
        Random r = new Random(seed);
        return new ByteArrayInputStream(b) {
            @Override
            public synchronized int read(byte[] dst, int off, int len) {
                return super.read(dst, off, Math.min(len, 1 + r.nextInt(7)));
            }
        };
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Reads {@code in} through Gunzip in 1 MiB requests; returns what it gave and what it threw (null: none). */
    static Object[] drain(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Gunzip g = new Gunzip(in)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = g.read(buf, 0, buf.length)) >= 0; ) {
                out.write(buf, 0, n);
            }
            return new Object[] {out.toByteArray(), null};
        } catch (IOException e) {
            return new Object[] {out.toByteArray(), e.getClass().getSimpleName() + ": " + e.getMessage()};
        }
    }

    static byte[] realTrace() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TestTraces.real("3.12", "startup")))) {
            return in.readAllBytes();
        }
    }

    @Test
    void membersAreReadWholeFromAnySource() throws IOException {
        byte[] a = "op,ptr,size\nalloc,0x10,48\n".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "free,0x10\n".getBytes(StandardCharsets.US_ASCII);
        byte[] z = concat(gzip(a), gzip(new byte[0]), gzip(b));
        assertArrayEquals(concat(a, b), (byte[]) drain(new ByteArrayInputStream(z))[0]);
        assertArrayEquals(concat(a, b), (byte[]) drain(trickle(z, 1))[0]);
        assertEquals(null, drain(trickle(z, 2))[1]);
    }

    /** Found by the long run (mutation 748): one byte of a next member, 0x1f, was "not gzip data", not cut short. */
    @Test
    void aNextMemberCutAfterItsFirstByteIsCutShort() throws IOException {
        byte[] a = gzip("op,ptr,size\n".getBytes(StandardCharsets.US_ASCII));
        byte[] z = concat(a, gzip(new byte[] {'x'}));
        Object[] r = drain(new ByteArrayInputStream(Arrays.copyOf(z, a.length + 1)));
        assertEquals("EOFException: in the header of member 2", r[1]);
        assertThrows(EOFException.class, () -> new Gunzip(new ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b})));
    }

    /**
     * Found by the long run (mutation 19240): a corrupt member failed after another line and byte from a FIFO than
     * from the file, as the inflater's failure takes with it the output of the call that meets it, and that call's
     * extent followed the reads of the source. Whole buffers are inflated now, however the source delivers them.
     */
    @Test
    void aCorruptStreamFailsAtTheSamePlaceFromAnySource() throws IOException {
        byte[] trace = realTrace();
        byte[] z = concat(gzip(trace), gzip("alloc,0x10,16\n".getBytes(StandardCharsets.US_ASCII)));
        byte[] foreign = gzip(Arrays.copyOf(trace, 3000));
        Random r = new Random(19240);
        for (int t = 0; t < 30; t++) {
            // A member spliced into another's deflate data, as the long run did: the inflater fails at a block
            // header far from where its call began (a flipped byte mostly fails only at the CRC).
            int at = 20 + r.nextInt(z.length - 20);
            byte[] bad = concat(Arrays.copyOf(z, at), foreign, Arrays.copyOfRange(z, at, z.length));
            Object[] file = drain(new ByteArrayInputStream(bad));
            Object[] pipe = drain(trickle(bad, t));
            assertEquals(file[1], pipe[1], "the same failure");
            assertArrayEquals((byte[]) file[0], (byte[]) pipe[0], "the same bytes before it");
        }
    }
}
