package pyalloc.trace.binary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceSource;

/**
 * docs/trace-format.md spells out format 2 byte by byte, with worked examples, so that a reader can be written
 * from it alone: the examples must be what pyalloc writes.
 */
final class BinaryFormatDocTest {
    @TempDir
    Path dir;

    /** The hex bytes of the code block after {@code anchor}: on each line, the two-digit tokens before any other. */
    private static byte[] hexAfter(String doc, String anchor) {
        int at = doc.indexOf(anchor);
        assertTrue(at >= 0, anchor);
        int from = doc.indexOf("```\n", at) + 4;
        int to = doc.indexOf("```", from);
        List<Integer> bytes = new ArrayList<>();
        for (String line : doc.substring(from, to).split("\n")) {
            for (String token : line.trim().split("\\s+")) {
                if (!token.matches("[0-9a-f]{2}")) {
                    break;
                }
                bytes.add(Integer.parseInt(token, 16));
            }
        }
        byte[] b = new byte[bytes.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (int) bytes.get(i);
        }
        return b;
    }

    private byte[] storedBinaryOf(String csv) throws IOException {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, csv);
        return BinaryRoundTripTest.convert(TraceFormat.open(TraceSource.of(f.toString()), false, false),
                TraceFormat.BINARY, false);
    }

    @Test
    void theDocumentsExamplesAreWhatPyallocWrites() throws IOException {
        String doc = Files.readString(Path.of("docs/trace-format.md"));
        byte[] shortest = storedBinaryOf("op,ptr,size\nalloc,1,48\nalloc,2,48\nfree,1\n");
        assertArrayEquals(hexAfter(doc, "converted with `pyalloc convert --no-compress`:"), shortest);

        byte[] recorded = storedBinaryOf("# python 3.12.1\nop,ptr,size,new_ptr,domain,ns,label\n"
                + "alloc,0x7f5fc4c40030,64,,obj,807736,\n"
                + "realloc,0x7f5fc4c40030,100,0x7f5fc4c44040,mem,807800,\n"
                + "mark,,,,,807900,start\n");
        byte[] eventData = hexAfter(doc, "payload `01 06 \"3.12.1\" 00 00 01 0f \"# python 3.12.1\"` and this block's");
        String all = new String(recorded, StandardCharsets.ISO_8859_1);
        int block = all.indexOf('B', 12 + 9 + 27);  // after the preamble and the 27-byte header record
        int data = block + 5 + 3;  // kind, length, then count, codec and length (one byte each here)
        assertArrayEquals(eventData, Arrays.copyOfRange(recorded, data, data + eventData.length));
        assertTrue(all.startsWith("H\u001b\u0000\u0000\u0000\u0001\u0006" + "3.12.1" + "\u0000\u0000\u0001\u000f"
                + "# python 3.12.1", 12));
    }
}
