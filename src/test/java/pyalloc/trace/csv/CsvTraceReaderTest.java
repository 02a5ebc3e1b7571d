package pyalloc.trace.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.TestTraces;
import pyalloc.trace.Domain;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;
import pyalloc.trace.TraceHeader;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;

/** Trace format 1 as docs/trace-format.md specifies it, and the fast paths against the general one. */
final class CsvTraceReaderTest {

    /** An event as a comparable row. */
    record Event(byte op, byte domain, long ptr, long newPtr, long size, long ns, long line, String label) {
    }

    static List<Event> read(TraceReader r) throws IOException {
        List<Event> out = new ArrayList<>();
        for (EventBatch b; (b = r.next()) != null; ) {
            for (int i = 0; i < b.count; i++) {
                out.add(new Event(b.op[i], b.domain[i], b.ptr[i], b.newPtr[i], b.size[i], b.ns[i], b.line(i),
                        b.op[i] == Op.MARK ? b.label[i] : null));
            }
        }
        return out;
    }

    static List<Event> read(String text) throws IOException {
        try (CsvTraceReader r = new CsvTraceReader("t.csv",
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), false)) {
            return read(r);
        }
    }

    @Test
    void theSpecExampleReadsAsFiveEvents() throws IOException {
        List<Event> e = read("""
                op,ptr,size,new_ptr,domain,ns,label
                alloc,0x7f0000010,48,,obj,120,
                alloc,0x7f0000040,700,,mem,180,
                realloc,0x7f0000010,100,0x7f0000090,obj,240,
                free,0x7f0000040,,,mem,300,
                mark,,,,,310,after-load
                """);
        assertEquals(5, e.size());
        assertEquals(new Event(Op.ALLOC, Domain.OBJ, 0x7f0000010L, EventBatch.NO_PTR, 48, 120, 2, null), e.get(0));
        assertEquals(new Event(Op.REALLOC, Domain.OBJ, 0x7f0000010L, 0x7f0000090L, 100, 240, 4, null), e.get(2));
        assertEquals(Domain.MEM, e.get(3).domain());
        assertEquals("after-load", e.get(4).label());
    }

    @Test
    void aliasesShortRowsCommentsAndBlankLines() throws IOException {
        List<Event> e = read("""
                # python 3.12.1
                op,ptr,size

                a,1,48
                malloc,2,48
                # a comment between rows
                calloc,3,0
                f,1
                r,2,100
                free,
                """);
        assertEquals(List.of(Op.ALLOC, Op.ALLOC, Op.CALLOC, Op.FREE, Op.REALLOC),
                e.stream().map(Event::op).toList(), "free of an empty ptr is no event");
        assertEquals(2L, e.get(4).newPtr(), "realloc without new_ptr keeps its pointer");
        assertEquals(EventBatch.NO_NS, e.get(0).ns());
        assertEquals(List.of(4L, 5L, 7L, 8L, 9L), e.stream().map(Event::line).toList());
    }

    @Test
    void columnsInAnyOrderUnknownColumnsIgnoredWithAWarning() throws IOException {
        String text = "size,extra,ptr,op\n48,x,0x10,alloc\n,y,0x10,free\n";
        try (CsvTraceReader r = new CsvTraceReader("t.csv",
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), false)) {
            List<Event> e = read(r);
            assertEquals(2, e.size());
            assertEquals(48, e.get(0).size());
            assertEquals(0x10L, e.get(1).ptr());
            assertEquals(List.of("t.csv:1: ignoring unknown column extra"), r.warnings());
        }
    }

    @Test
    void quotedFieldsGoThroughCommonsCsv() throws IOException {
        List<Event> e = read("op,ptr,size,label\n\"alloc\",\"0x10\",48,\nmark,,,\"phase, \"\"one\"\"\nand two\"\n");
        assertEquals(0x10L, e.get(0).ptr());
        assertEquals("phase, \"one\"\nand two", e.get(1).label());
    }

    @Test
    void symbolicAndDecimalPointers() throws IOException {
        List<Event> e = read("op,ptr,size,new_ptr\nalloc,obj17,48,\nalloc,12345,48,\nrealloc,obj17,100,obj18\n"
                + "free,obj18,,\nalloc,obj17,16,\n");
        assertEquals(12345L, e.get(1).ptr());
        long first = e.get(0).ptr();
        assertEquals(first, e.get(2).ptr());
        assertEquals(e.get(2).newPtr(), e.get(3).ptr());
        assertTrue(first != e.get(4).ptr(), "a token released by a move names a new object when reused");
    }

    @Test
    void gzipIsRecognisedByContentNotName(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("trace.data");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write("op,ptr,size\nalloc,0x10,48\n".getBytes(StandardCharsets.UTF_8));
        }
        Files.write(p, bytes.toByteArray());
        TraceSource s = TraceSource.of(p.toString());
        try (CsvTraceReader r = new CsvTraceReader(s.name(), s.open(), false)) {
            assertEquals(1, read(r).size());
        }
    }

    /**
     * The fast paths must read a real trace exactly as the general (Commons CSV) path does: the same trace with
     * every field quoted takes the general path for every row.
     */
    @Test
    void fastPathsAgreeWithTheGeneralPathOnARealTrace() throws IOException {
        Path real = TestTraces.real("3.11", "startup");
        byte[] plain;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(real))) {
            plain = in.readAllBytes();
        }
        String[] lines = new String(plain, StandardCharsets.UTF_8).split("\n");
        List<Event> fast;
        try (CsvTraceReader r = new CsvTraceReader("fast", new ByteArrayInputStream(plain), false)) {
            fast = read(r);
            assertTrue(r.generalPathRows() < 10, "captured rows take the fast path: " + r.generalPathRows());
        }
        assertEquals(lines.length - 1, fast.size());
        assertEquals(readQuoted(lines), fast);
    }

    @Test
    void fastPathsAgreeWithTheGeneralPathOnEveryKindOfRow() throws IOException {
        StringBuilder t = new StringBuilder("op,ptr,size,new_ptr,domain,ns,label\n");
        String[] domains = {"obj", "mem", "raw", ""};
        long ns = 1_000_000_000L;
        t.append("arena_alloc,0x7f0000000000,1048576,,,").append(ns).append(",\n");
        for (int i = 0; i < 2000; i++) {
            String ptr = "0x" + Long.toHexString(0x7f0000001000L + 16L * i);
            String size = String.valueOf((long) Math.pow(10, i % 13) + i);  // 1 to 13 digits
            String domain = domains[i % 4];
            ns += i % 5;
            switch (i % 6) {
                case 0 -> t.append("alloc,").append(ptr).append(',').append(size).append(",,").append(domain);
                case 1 -> t.append("calloc,").append(ptr).append(',').append(size).append(",,").append(domain);
                case 2 -> t.append("realloc,").append(ptr).append(',').append(size).append(",0x")
                        .append(Long.toHexString(0x7f0000100000L + i)).append(',').append(domain);
                case 3 -> t.append("realloc,").append(ptr).append(',').append(size).append(",,").append(domain);
                case 4 -> t.append("free,").append(ptr).append(",,,").append(domain);
                default -> t.append("mark,,,,");
            }
            t.append(',').append(i % 7 == 0 ? "" : String.valueOf(ns)).append(i % 6 == 5 ? ",step-" + i : ",")
                    .append('\n');
        }
        byte[] plain = t.toString().getBytes(StandardCharsets.UTF_8);
        List<Event> fast;
        try (CsvTraceReader r = new CsvTraceReader("fast", new ByteArrayInputStream(plain), false)) {
            fast = read(r);
            assertEquals(0, r.generalPathRows(), "every row here takes one of the fast paths");
        }
        assertEquals(2001, fast.size());
        assertEquals(readQuoted(t.toString().split("\n")), fast);
    }

    /** Reads the rows with every field quoted, which only the general path (Commons CSV) takes. */
    private static List<Event> readQuoted(String[] lines) throws IOException {
        StringBuilder quoted = new StringBuilder(lines[0]).append('\n');
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            for (int j = 0; j < f.length; j++) {
                quoted.append(j > 0 ? "," : "").append('"').append(f[j]).append('"');
            }
            quoted.append('\n');
        }
        try (CsvTraceReader r = new CsvTraceReader("general",
                new ByteArrayInputStream(quoted.toString().getBytes(StandardCharsets.UTF_8)), false)) {
            List<Event> general = read(r);
            assertEquals(general.size(), r.generalPathRows());
            return general;
        }
    }

    @Test
    void headerCommentsAreKeptAndRead() throws IOException {
        // The header pyalloc record writes (the CSV form of traces/cache-3.12.pyat starts so).
        String text = "# python 3.12.1\n# executable /root/.pyenv/versions/3.12.1/bin/python3\n"
                + "# platform Linux x86_64\n# recorded by pyalloc record: cache.py\nop,ptr,size\n";
        try (CsvTraceReader r = new CsvTraceReader("t.csv",
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), false)) {
            TraceHeader h = r.header();
            assertEquals(4, h.comments().size());
            assertEquals("# platform Linux x86_64", h.comments().get(2));
            assertEquals("3.12.1", h.python());
            assertEquals("/root/.pyenv/versions/3.12.1/bin/python3", h.executable());
            assertEquals("Linux x86_64", h.platform());
            assertEquals(1, h.formatVersion());
            assertFalse(h.hasTime());
            assertNull(r.next());
        }
    }
}
