package pyalloc.trace.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pyalloc.TestTraces;
import pyalloc.trace.ChunkPipeline;
import pyalloc.trace.TraceFormatException;
import pyalloc.trace.TraceReader;

/**
 * The chunked reader must read every trace exactly as the in-order reader does, wherever the chunks are cut:
 * the same events, line numbers and times, and the same error on the same line.
 */
final class CsvChunkingTest {

    private static byte[] realTrace(String version, String workload) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TestTraces.real(version, workload)))) {
            return in.readAllBytes();
        }
    }

    private static List<CsvTraceReaderTest.Event> inOrder(byte[] csv, boolean lenient) throws IOException {
        try (CsvTraceReader r = new CsvTraceReader("t.csv", new ByteArrayInputStream(csv), lenient)) {
            return CsvTraceReaderTest.read(r);
        }
    }

    private static List<CsvTraceReaderTest.Event> chunked(byte[] csv, boolean lenient, int chunkSize)
            throws IOException {
        InputStream in = new ByteArrayInputStream(csv);
        try (TraceReader r = new CsvChunking(new CsvTraceReader("t.csv", in, lenient)).pipeline(in, chunkSize)) {
            return CsvTraceReaderTest.read(r);
        }
    }

    private static String message(ThrowingRead read) {
        return assertThrows(TraceFormatException.class, read::run).getMessage();
    }

    private interface ThrowingRead {
        void run() throws IOException;
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {64, 1000, 4096, 65536, ChunkPipeline.CHUNK})
    void aRecordedTraceReadsTheSameCutAnywhere(int chunkSize) throws IOException {
        byte[] csv = realTrace("3.12", "rules");
        List<CsvTraceReaderTest.Event> expected = inOrder(csv, false);
        assertTrue(expected.size() > 100_000, "a trace of several chunks");
        InputStream in = new ByteArrayInputStream(csv);
        CsvChunking chunking = new CsvChunking(new CsvTraceReader("t.csv", in, false));
        try (TraceReader r = chunking.pipeline(in, chunkSize)) {
            assertEquals(expected, CsvTraceReaderTest.read(r));
            // Arena and mark rows too: a chunk parser takes them by the one-row fast path, not the in-order reader.
            assertTrue(chunking.rowsParsedApart() > expected.size() * 0.99, "rows parsed apart: " + chunking.rowsParsedApart());
        }
    }

    @Test
    void commentsBlankLinesAndQuotedRowsBetweenChunksKeepTheirLines() throws IOException {
        StringBuilder t = new StringBuilder("# python 3.12.1\nop,ptr,size,new_ptr,domain,ns,label\n");
        for (int i = 0; i < 3000; i++) {
            long p = 0x7f0000001000L + 16L * i;
            t.append("alloc,0x").append(Long.toHexString(p)).append(",32,,obj,").append(100 + i).append(",\n");
            if (i % 97 == 0) {
                t.append("# note ").append(i).append("\n\n");
            }
            if (i % 211 == 0) {
                t.append("mark,,,,,").append(100 + i).append(",\"quoted, label ").append(i).append("\"\n");
            }
            if (i % 37 == 0) {
                t.append("free,0x").append(Long.toHexString(p)).append(",,,obj,,\n");  // time from the row before
            }
        }
        byte[] csv = t.toString().getBytes(StandardCharsets.UTF_8);
        List<CsvTraceReaderTest.Event> expected = inOrder(csv, false);
        for (int chunkSize : new int[] {50, 333, 4096}) {
            assertEquals(expected, chunked(csv, false, chunkSize), "chunks of " + chunkSize);
        }
    }

    @Test
    void marksAndArenaRowsWithOrWithoutATimeOfTheirOwnReadTheSame() throws IOException {
        StringBuilder t = new StringBuilder("op,ptr,size,new_ptr,domain,ns,label\n");
        for (int i = 0; i < 3000; i++) {
            if (i % 50 == 0) {
                t.append("arena_alloc,0x").append(Long.toHexString(0x7f0000000000L + (long) i << 20))
                        .append(",1048576,,,").append(i % 100 == 0 ? "" : String.valueOf(100 + i)).append(",\n");
            }
            t.append("alloc,0x").append(Long.toHexString(0x7f0000001000L + 16L * i)).append(",32,,obj,")
                    .append(100 + i).append(",\n");
            if (i % 23 == 0) {
                // a mark with no time of its own takes the time of the row before, which may be in the chunk before
                t.append("mark,,,,,").append(i % 46 == 0 ? "" : String.valueOf(100 + i)).append(",step-").append(i)
                        .append("\n");
            }
        }
        byte[] csv = t.toString().getBytes(StandardCharsets.UTF_8);
        List<CsvTraceReaderTest.Event> expected = inOrder(csv, false);
        for (int chunkSize : new int[] {40, 97, 333, 4096}) {
            assertEquals(expected, chunked(csv, false, chunkSize), "chunks of " + chunkSize);
        }
    }

    @Test
    void anErrorDeepInTheTraceNamesTheSameLine() throws IOException {
        byte[] good = realTrace("3.11", "rules");
        String text = new String(good, StandardCharsets.ISO_8859_1);
        int at = text.indexOf('\n', text.length() / 2) + 1;
        byte[] bad = (text.substring(0, at) + "alloc,0xzz,16,,obj,1,\n" + text.substring(at))
                .getBytes(StandardCharsets.ISO_8859_1);
        String expected = message(() -> inOrder(bad, false));
        assertTrue(expected.matches("t\\.csv:\\d{5,}: .*"), expected);
        assertEquals(expected, message(() -> chunked(bad, false, 4096)));
        assertEquals(inOrder(bad, true), chunked(bad, true, 4096), "lenient: the same rows skipped");
    }

    @Test
    void timeGoingBackwardsAcrossAChunkBoundaryIsCaught() throws IOException {
        StringBuilder t = new StringBuilder("op,ptr,size,new_ptr,domain,ns,label\n");
        for (int i = 0; i < 2000; i++) {
            long ns = i == 1500 ? 5 : 1000 + i;
            t.append("alloc,0x").append(Long.toHexString(0x7f0000001000L + 16L * i)).append(",32,,obj,")
                    .append(ns).append(",\n");
        }
        byte[] csv = t.toString().getBytes(StandardCharsets.UTF_8);
        String expected = message(() -> inOrder(csv, false));
        assertTrue(expected.startsWith("t.csv:1502: ns \"5\" goes backwards"), expected);
        int rowBytes = t.indexOf("\n", 40) - t.indexOf("\n");
        for (int chunkSize = 1; chunkSize <= 3; chunkSize++) {  // cut at, just before and after row 1502
            int size = rowBytes * 100 * chunkSize;
            assertEquals(expected, message(() -> chunked(csv, false, size)), "chunks of " + size);
        }
        assertEquals(inOrder(csv, true), chunked(csv, true, 1000));
    }

    @Test
    void aLastLineWithoutItsEndIsRead() throws IOException {
        byte[] csv = "op,ptr,size,new_ptr,domain,ns,label\nalloc,0x10,16,,obj,1,\nfree,0x10,,,obj,2,"
                .getBytes(StandardCharsets.UTF_8);
        List<CsvTraceReaderTest.Event> expected = inOrder(csv, false);
        assertEquals(2, expected.size());
        assertEquals(expected, chunked(csv, false, 16));
    }

    @Test
    void readingStopsWithTheFirstFailure() {
        InputStream failing = new InputStream() {
            private final byte[] head = "op,ptr,size,new_ptr,domain,ns,label\nalloc,0x10,16,,obj,1,\n"
                    .getBytes(StandardCharsets.UTF_8);
            private int pos;

            @Override
            public int read() throws IOException {
                if (pos < head.length) {
                    return head[pos++];
                }
                throw new IOException("disk gone");
            }
        };
        IOException e = assertThrows(IOException.class, () -> {
            try (TraceReader r = new CsvChunking(new CsvTraceReader("t.csv", failing, false)).pipeline(failing,
                    1024)) {
                CsvTraceReaderTest.read(r);
            }
        });
        assertEquals("disk gone", e.getMessage());
    }
}
