package pyalloc.trace.binary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pyalloc.trace.EventBatch;
import pyalloc.trace.EventCursor;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;
import pyalloc.trace.TraceWriter;

/**
 * CSV to binary and back, on every real trace the project has (the CPython captures under test resources and the
 * shipped samples): the binary form reads as the same events, lines and header, and a trace the recorder wrote
 * comes back byte for byte.
 */
final class BinaryRoundTripTest {
    @TempDir
    Path dir;

    static Stream<Path> realTraces() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Path.of("src/test/resources/cpython"))) {
            s.filter(p -> p.getFileName().toString().equals("trace.csv.gz")).sorted().forEach(all::add);
        }
        try (Stream<Path> s = Files.list(Path.of("traces"))) {
            s.filter(p -> TraceFormat.byName(p.getFileName().toString()) != null).sorted().forEach(all::add);
        }
        return all.stream();
    }

    private static TraceReader read(byte[] trace) throws IOException {
        Path tmp = Files.createTempFile("trace", ".bin");
        try {
            Files.write(tmp, trace);
            return TraceFormat.open(TraceSource.of(tmp.toString()), false, false);
        } finally {
            Files.delete(tmp);  // the reader holds it open
        }
    }

    private static TraceReader read(Path trace) throws IOException {
        return TraceFormat.open(TraceSource.of(trace.toString()), false, false);
    }

    /** Converts {@code in} to {@code format} as pyalloc convert does, in memory. */
    static byte[] convert(TraceReader in, TraceFormat format, boolean compress) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (in; TraceWriter w = format.writer(out, in, compress)) {
            for (EventBatch b; (b = in.next()) != null; ) {
                w.write(b);
            }
            w.finish();
        }
        return out.toByteArray();
    }

    private static byte[] plainCsv(Path trace) throws IOException {
        try (InputStream in = Files.newInputStream(trace)) {
            byte[] b = in.readAllBytes();
            return b.length > 1 && b[0] == 0x1f && (b[1] & 0xff) == 0x8b
                    ? new GZIPInputStream(new ByteArrayInputStream(b)).readAllBytes() : b;
        }
    }

    /**
     * CSV to binary to CSV: a CPython capture in CSV as it is; a shipped binary sample by way of its CSV form,
     * which must come back from binary as the same bytes.
     */
    @ParameterizedTest
    @MethodSource("realTraces")
    void realTraceRoundTripsThroughBinary(Path trace) throws IOException {
        byte[] file = plainCsv(trace);
        boolean shippedBinary = TraceFormat.sniff(file, file.length) == TraceFormat.BINARY;
        byte[] csv = shippedBinary ? convert(read(trace), TraceFormat.CSV, false) : file;
        byte[] binary = convert(read(csv), TraceFormat.BINARY, true);
        byte[] back = convert(read(binary), TraceFormat.CSV, false);
        long events = EventCursor.assertSameTrace(read(trace), read(binary));
        EventCursor.assertSameTrace(read(trace), read(back));
        assertTrue(events > 1000, trace + ": " + events + " events");
        if (new String(csv, 0, 200, StandardCharsets.UTF_8).startsWith("# python")) {
            // What the recorder wrote, written back by the CSV writer: byte for byte.
            assertArrayEquals(csv, back, trace.toString());
        }
        if (shippedBinary) {
            assertArrayEquals(file, binary, trace + " is what convert writes from its CSV form");
        }
        // Half the size of the same trace as gzip -1 CSV, at most (docs/trace-format.md).
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(gz, new Deflater(1))) {
            d.write(csv);
        }
        assertTrue(binary.length * 2 <= gz.size(), trace + ": " + binary.length + " bytes, gzip -1 CSV " + gz.size());
        if (shippedBinary) {  // stored blocks hold the same event data: the shipped samples are enough
            byte[] stored = convert(read(csv), TraceFormat.BINARY, false);
            EventCursor.assertSameTrace(read(trace), read(stored));
            assertTrue(stored.length < gz.size(), trace + ": stored blocks " + stored.length + " bytes, gzip -1 CSV "
                    + gz.size());
        }
    }

    /** A hand-made trace: symbolic and decimal pointers, no times, comments and blank lines between rows, quotes. */
    @Test
    void handMadeTraceKeepsItsEventsAndLines() throws IOException {
        String csv = String.join("\n",
                "# a trace written by hand",
                "",
                "op,ptr,size,new_ptr,domain,label",
                "alloc,obj1,48",
                "alloc,2,48,,mem",
                "# a comment between rows",
                "",
                "free,obj1",
                "alloc,obj1,64",
                "realloc,obj1,100,obj7",
                "realloc,,24,obj8",
                "realloc,obj8,32,obj8",
                "free,",
                "free,unknown",
                "alloc,0X7F00AA,16,,raw",
                "arena_alloc,0x7f0000000000,262144",
                "arena_free,0x7f0000000000",
                "calloc,0x10,0",
                "mark,,,,,\"a, \"\"quoted\"\"",
                "multi-line\"",
                "mark,,,,,plain",
                "alloc,0xffffffffffffff00,8",
                "free,2") + "\n";
        Path f = dir.resolve("hand.csv");
        Files.writeString(f, csv);
        byte[] binary = convert(read(f), TraceFormat.BINARY, true);
        long events = EventCursor.assertSameTrace(read(f), read(binary));
        assertEquals(16, events);
        byte[] back = convert(read(binary), TraceFormat.CSV, false);
        EventCursor.assertSameTrace(read(f), read(back));
        String text = new String(back, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("# a trace written by hand\nop,ptr,size,new_ptr,domain,label\n\nalloc,sym1,48,,obj,\n"),
                text);
        assertTrue(text.contains("\nalloc,0xffffffffffffff00,8,,obj,\n"), text);
    }

    @Test
    void aTraceWithTimesOnlyFromItsThirdRowKeepsThem() throws IOException {
        Path f = dir.resolve("late.csv");
        Files.writeString(f, "op,ptr,size,ns\nalloc,0x10,8\nalloc,0x20,8,\nalloc,0x30,8,5\nfree,0x10,,\nfree,0x20,,9\n");
        byte[] binary = convert(read(f), TraceFormat.BINARY, false);
        assertEquals(5, EventCursor.assertSameTrace(read(f), read(binary)));
    }

    /**
     * Call sites written as the recorder writes them (each definition just before the first row naming it,
     * outermost first), with a quoted file name holding a comma and a function name holding a line end: through
     * binary and back, the same events, lines, site ids and stacks, and the same bytes. The binary form holds
     * them as frame and site records.
     */
    @Test
    void callSitesSurviveBinaryByteForByte() throws IOException {
        String csv = String.join("\n",
                "# python 3.12.1",
                "# sites 2",
                "op,ptr,size,new_ptr,domain,ns,label,site",
                "arena_alloc,0x7f0000000000,1048576,,,10,",
                "alloc,0x7f0000000030,64,,obj,11,",
                "#frame,1,app.py,12,main",
                "#site,1,1,",
                "#frame,2,\"lib, v2.py\",7,remember",
                "#site,2,2,1",
                "alloc,0x7f0000000070,64,,obj,12,,2",
                "alloc,0x7f00000000b0,64,,mem,13,,2",
                "#frame,3,<string>,1,\"odd",
                "name\"",
                "#site,3,3,1",
                "realloc,0x7f0000000070,100,0x7f0000004030,obj,14,,3",
                "free,0x7f00000000b0,,,obj,15,",
                "mark,,,,,16,exit",
                "calloc,0x7f00000000b0,48,,obj,17,,1") + "\n";
        Path f = dir.resolve("sites.csv");
        Files.writeString(f, csv);
        byte[] binary = convert(read(f), TraceFormat.BINARY, false);
        assertEquals(8, EventCursor.assertSameTrace(read(f), read(binary)));
        try (TraceReader r = read(binary)) {
            while (r.next() != null) {
                // read to the end: every record defined
            }
            pyalloc.trace.SiteTable t = r.sites().orElseThrow();
            assertEquals(3, t.frames());
            assertEquals(3, t.sites());
            assertEquals(List.of(new pyalloc.trace.SiteTable.Frame("lib, v2.py", 7, "remember"),
                    new pyalloc.trace.SiteTable.Frame("app.py", 12, "main")), t.stack(2));
        }
        String text = new String(binary, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("F") && text.contains("lib, v2.py") && text.contains("odd\nname"));
        byte[] back = convert(read(binary), TraceFormat.CSV, false);
        assertEquals(csv, new String(back, StandardCharsets.UTF_8));
        // A trace without sites stays without: no site column, no records.
        Path plain = dir.resolve("plain.csv");
        Files.writeString(plain, "op,ptr,size\nalloc,1,48\nfree,1\n");
        byte[] plainBinary = convert(read(plain), TraceFormat.BINARY, false);
        try (TraceReader r = read(plainBinary)) {
            assertTrue(r.sites().isEmpty());
        }
        assertTrue(new String(convert(read(plainBinary), TraceFormat.CSV, false), StandardCharsets.UTF_8)
                .startsWith("op,ptr,size,new_ptr,domain,label\n"));
    }
}
