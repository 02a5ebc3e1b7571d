package pyalloc.trace.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pyalloc.trace.ChunkPipeline;
import pyalloc.trace.EventBatch;
import pyalloc.trace.Op;
import pyalloc.trace.SiteTable;
import pyalloc.trace.TraceFormatException;
import pyalloc.trace.TraceReader;

/**
 * Call sites in format 1 (docs/trace-format.md, "Call sites", "Site tables"): the site column on every path of
 * the reader, the #frame and #site lines wherever chunks are cut, and a one-line error for each way a definition
 * can be wrong. The recorded trace is sites.py on CPython 3.12.1 with three frames per site.
 */
final class CsvSitesTest {

    /** An event and its site. */
    record Sited(CsvTraceReaderTest.Event event, int site) {
    }

    static byte[] recorded() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(fixture("sites-3.12.csv.gz")))) {
            return in.readAllBytes();
        }
    }

    static Path fixture(String name) {
        try {
            return Path.of(CsvSitesTest.class.getResource("/sites/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Sited> read(TraceReader r) throws IOException {
        List<Sited> out = new ArrayList<>();
        for (EventBatch b; (b = r.next()) != null; ) {
            for (int i = 0; i < b.count; i++) {
                CsvTraceReaderTest.Event e = new CsvTraceReaderTest.Event(b.op[i], b.domain[i], b.ptr[i], b.newPtr[i],
                        b.size[i], b.ns[i], b.line(i), b.op[i] == Op.MARK ? b.label[i] : null);
                out.add(new Sited(e, b.op[i] <= Op.REALLOC && b.op[i] != Op.FREE ? b.site[i] : 0));
            }
        }
        return out;
    }

    static CsvTraceReader reader(byte[] csv) throws IOException {
        return new CsvTraceReader("t.csv", new ByteArrayInputStream(csv), false);
    }

    static CsvTraceReader reader(String text) throws IOException {
        return reader(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Every stack of a table, as text, by site id: what two readers of one trace must agree on. */
    static List<String> stacks(SiteTable t, int upTo) {
        List<String> out = new ArrayList<>();
        for (int s = 1; s <= upTo; s++) {
            out.add(s + " " + t.stack(s));
        }
        return out;
    }

    @Test
    void theRecordedTraceHasItsSitesOnTheFastPath() throws IOException {
        try (CsvTraceReader r = reader(recorded())) {
            assertTrue(r.canonical(), "the recorders' header with the site column is the canonical one");
            List<Sited> events = read(r);
            SiteTable t = r.sites().orElseThrow();
            long definitions = t.frames() + t.sites();
            assertTrue(r.generalPathRows() - definitions < 10, "rows take the fast paths: "
                    + (r.generalPathRows() - definitions) + " do not");
            long sited = events.stream().filter(e -> e.site() != 0).count();
            assertTrue(sited > events.size() / 3, sited + " of " + events.size() + " events have a site");
            assertTrue(t.frames() > 1000 && t.sites() > t.frames() / 2, t.frames() + " frames, " + t.sites() + " sites");
            for (Sited e : events) {
                assertFalse(e.site() != 0 && t.stack(e.site()).isEmpty(), "site " + e.site() + " is defined before use");
            }
        }
    }

    /** Every field quoted: only the general path (Commons CSV) reads such rows, and it must read the same. */
    @Test
    void theGeneralPathReadsTheSameSites() throws IOException {
        byte[] csv = recorded();
        List<Sited> fast;
        SiteTable fastTable;
        try (CsvTraceReader r = reader(csv)) {
            fast = read(r);
            fastTable = r.sites().orElseThrow();
        }
        StringBuilder quoted = new StringBuilder();
        for (String line : new String(csv, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("#") || line.startsWith("op,")) {
                quoted.append(line).append('\n');
            } else {
                quoted.append('"').append(line.replace(",", "\",\"")).append("\"\n");
            }
        }
        try (CsvTraceReader r = reader(quoted.toString())) {
            assertEquals(fast, read(r));
            assertEquals(fast.size(), r.generalPathRows() - fastTable.frames() - fastTable.sites());
            assertEquals(stacks(fastTable, fastTable.sites()), stacks(r.sites().orElseThrow(), fastTable.sites()));
        }
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {200, 4096, 65536, ChunkPipeline.CHUNK})
    void chunksCutAnywhereAmongTheDefinitionsReadTheSame(int chunkSize) throws IOException {
        byte[] csv = recorded();
        List<Sited> expected;
        SiteTable expectedTable;
        try (CsvTraceReader r = reader(csv)) {
            expected = read(r);
            expectedTable = r.sites().orElseThrow();
        }
        InputStream in = new ByteArrayInputStream(csv);
        try (TraceReader r = new CsvChunking(new CsvTraceReader("t.csv", in, false)).pipeline(in, chunkSize)) {
            assertEquals(expected, read(r));
            SiteTable t = r.sites().orElseThrow();
            assertEquals(expectedTable.sites(), t.sites());
            assertEquals(stacks(expectedTable, expectedTable.sites()), stacks(t, expectedTable.sites()));
        }
    }

    @Test
    void definitionsQuoteWhatNeedsQuotingAndRowsMayPutTheSiteAnywhere() throws IOException {
        try (CsvTraceReader r = reader("""
                site,op,ptr,size
                #frame,1,"/srv/a, b/""q"".py",7,<module>
                #frame,2,"two
                lines.py",0,f
                #site,5,1,
                #site,6,2,5
                6,alloc,1,48
                ,alloc,2,48
                5,free,1
                """)) {
            List<Sited> e = read(r);
            assertEquals(List.of(6, 0, 0), e.stream().map(Sited::site).toList());
            SiteTable t = r.sites().orElseThrow();
            assertEquals(List.of(new SiteTable.Frame("two\nlines.py", 0, "f"),
                    new SiteTable.Frame("/srv/a, b/\"q\".py", 7, "<module>")), t.stack(6));
            assertEquals(List.of(), t.stack(7), "an undefined site has no frames");
        }
    }

    @Test
    void withoutASiteColumnDefinitionsAreComments() throws IOException {
        try (CsvTraceReader r = reader("""
                op,ptr,size,new_ptr,domain,ns,label
                #frame,1,a.py,1,f
                #site,1,1,
                alloc,0x10,48,,obj,1,
                """)) {
            assertEquals(1, read(r).size());
            assertTrue(r.sites().isEmpty());
        }
    }

    private static String error(String rows) {
        String text = "op,ptr,size,new_ptr,domain,ns,label,site\n" + rows;
        return assertThrows(TraceFormatException.class, () -> {
            try (CsvTraceReader r = reader(text)) {
                read(r);
            }
        }).getMessage();
    }

    @Test
    void eachBrokenDefinitionIsOneLineNamingIt() {
        assertEquals("t.csv:2: definition \"#frame,1,a.py,3\" has 4 fields (expected #frame,ID,FILE,LINE,FUNCTION)",
                error("#frame,1,a.py,3\n"));
        assertEquals("t.csv:2: definition \"#site,1\" has 2 fields (expected #site,ID,FRAME,CALLER)",
                error("#site,1\n"));
        assertEquals("t.csv:2: id \"x\" is not a positive integer up to 2147483647 (expected #site,ID,FRAME,CALLER)",
                error("#site,x,1,\n"));
        assertEquals("t.csv:2: line \"-3\" is not a non-negative integer up to 2147483647 (expected"
                + " #frame,ID,FILE,LINE,FUNCTION)", error("#frame,1,a.py,-3,f\n"));
        assertEquals("t.csv:3: frame 1 is defined a second time", error("#frame,1,a.py,3,f\n#frame,1,b.py,3,f\n"));
        assertEquals("t.csv:3: site 1 is defined a second time", error("#site,1,1,\n#site,1,2,\n"));
        assertEquals("t.csv:2: site \"0\" is not a positive integer up to 2147483647",
                error("alloc,0x10,48,,obj,1,,0\n"));
        assertEquals("t.csv:2: site \"4294967296\" is not a positive integer up to 2147483647",
                error("alloc,0x10,48,,obj,1,,4294967296\n"));
        assertEquals("t.csv:2: site \"a1\" is not a positive integer up to 2147483647",
                error("alloc,0x10,48,,obj,1,,a1\n"));
    }
}
