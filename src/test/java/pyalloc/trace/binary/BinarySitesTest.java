package pyalloc.trace.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import pyalloc.trace.EventBatch;
import pyalloc.trace.SiteTable;
import pyalloc.trace.TraceFormatException;

/**
 * Frame and site records as docs/trace-format.md defines them, written byte by byte: what the reader makes of
 * them (the SiteTable, EventBatch.site), and the one-line errors for records that break the format.
 */
final class BinarySitesTest {

    /** A trace: header (time column off; site column on with {@code sites}), then {@code records}, then the end. */
    private static byte[] trace(boolean sites, Object... records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordOutput out = new RecordOutput(bytes);
        out.preamble();
        ByteSink h = new ByteSink(16);
        h.varint(sites ? BinaryFormat.COLUMN_SITE : 0);
        for (int i = 0; i < 3; i++) {
            h.string(new byte[0]);
        }
        h.varint(0);
        out.record(BinaryFormat.HEADER, h);
        for (int i = 0; i < records.length; i += 2) {
            out.record((byte) (char) records[i], (ByteSink) records[i + 1]);
        }
        out.record(BinaryFormat.END, new byte[0], 0);
        out.flush();
        return bytes.toByteArray();
    }

    private static ByteSink frame(long id, String file, long line, String function) {
        ByteSink p = new ByteSink(64);
        p.varint(id);
        p.string(file.getBytes(StandardCharsets.UTF_8));
        p.varint(line);
        p.string(function.getBytes(StandardCharsets.UTF_8));
        return p;
    }

    private static ByteSink site(long id, long frame, long caller) {
        ByteSink p = new ByteSink(16);
        p.varint(id);
        p.varint(frame);
        p.varint(caller);
        return p;
    }

    /** A block of two allocs, stored: the first with site {@code site}, the second with none. */
    private static ByteSink block(long site) {
        ByteSink data = new ByteSink(64);
        // stream lengths: pointer 2, size 2, new pointer 0, time 0, label 0, site 1, gap 0
        for (long n : new long[] {2, 2, 0, 0, 0, 1, 0}) {
            data.varint(n);
        }
        data.put(BinaryFormat.TAG_SITE);  // alloc obj with a site
        data.put(0);                      // alloc obj
        data.put(4);                      // pointer +2 (zigzag 4, times 2, +1 ... as the doc: odd deltas)
        data.put(5);
        data.varint(48);
        data.varint(48);
        data.varint(site);
        ByteSink p = new ByteSink(64);
        p.varint(2);
        p.varint(BinaryFormat.CODEC_NONE);
        p.varint(data.length);
        p.put(data);
        return p;
    }

    private static BinaryTraceReader open(byte[] trace) throws IOException {
        return new BinaryTraceReader("t.pyat", new ByteArrayInputStream(trace), false);
    }

    private static String error(byte[] trace) {
        return assertThrows(TraceFormatException.class, () -> {
            try (BinaryTraceReader r = open(trace)) {
                while (r.next() != null) {
                    // to the end
                }
            }
        }).getMessage();
    }

    @Test
    void recordsFillTheSiteTableAndEventsCarryTheirIds() throws IOException {
        byte[] t = trace(true, 'F', frame(1, "app.py", 12, "main"), 'F', frame(2, "lib.py", 7, "remember"),
                'S', site(1, 1, 0), 'S', site(2, 2, 1), 'B', block(2));
        try (BinaryTraceReader r = open(t)) {
            EventBatch b = r.next();
            assertEquals(2, b.count);
            assertEquals(2, b.site[0]);
            assertEquals(SiteTable.NONE, b.site[1]);
            SiteTable table = r.sites().orElseThrow();
            assertEquals(List.of(new SiteTable.Frame("lib.py", 7, "remember"), new SiteTable.Frame("app.py", 12,
                    "main")), table.stack(2));
        }
        // As in CSV, a site no record defines is read; the replay reports it as not defined.
        try (BinaryTraceReader r = open(trace(true, 'B', block(9)))) {
            assertEquals(9, r.next().site[0]);
            assertEquals(List.of(), r.sites().orElseThrow().stack(9));
        }
        try (BinaryTraceReader r = open(trace(false))) {
            assertTrue(r.sites().isEmpty(), "no site column, no sites");
        }
    }

    @Test
    void malformedRecordsAreOneLineErrorsWithTheirOffset() throws IOException {
        assertEquals("t.pyat: byte 44: frame record: frame 1 is defined twice",
                error(trace(true, 'F', frame(1, "a.py", 1, "f"), 'F', frame(1, "b.py", 2, "g"))));
        assertTrue(error(trace(true, 'S', site(1, 1, 0), 'S', site(1, 2, 0)))
                .endsWith("site record: site 1 is defined twice"));
        assertTrue(error(trace(true, 'S', site(0, 1, 0))).endsWith("site record: the site's id 0 is not 1 or more"
                + " and up to 2147483647"));
        assertTrue(error(trace(true, 'F', frame(1L << 31, "a.py", 1, "f")))
                .endsWith("frame record: the frame's id 2147483648 is not 1 or more and up to 2147483647"));
        assertTrue(error(trace(false, 'F', frame(1, "a.py", 1, "f")))
                .endsWith("frame record: a frame record in a trace whose header's columns have no site ids"));
        assertTrue(error(trace(false, 'B', block(1))).endsWith("block 1, event 1: it carries a site id, but the"
                + " header's columns have none"), error(trace(false, 'B', block(1))));
        ByteSink cut = new ByteSink(8);
        cut.varint(1);
        assertTrue(error(trace(true, 'S', cut)).endsWith("site record: the site's frame runs past the end of its"
                + " record"));
    }
}
