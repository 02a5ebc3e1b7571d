package pyalloc.trace.binary;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/** Writes format 2's framing: the preamble, and records of kind, length, payload and CRC-32C. */
final class RecordOutput {
    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final byte[] head = new byte[BinaryFormat.RECORD_HEAD];
    private final byte[] tail = new byte[BinaryFormat.RECORD_TAIL];
    private long written;

    RecordOutput(OutputStream out) {
        this.out = out;
    }

    /** Writes the magic number, the version and the reserved word. */
    void preamble() throws IOException {
        out.write(BinaryFormat.MAGIC);
        out.write(new byte[] {(byte) BinaryFormat.VERSION, (byte) (BinaryFormat.VERSION >>> 8), 0, 0});
        written += BinaryFormat.PREAMBLE;
    }

    /** Writes one record; its payload is {@code payload[0, length)}. */
    void record(byte kind, byte[] payload, int length) throws IOException {
        if (length > BinaryFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("record payload of " + length + " bytes");
        }
        head[0] = kind;
        putU32(head, 1, length);
        crc.reset();
        crc.update(head, 0, head.length);
        crc.update(payload, 0, length);
        putU32(tail, 0, (int) crc.getValue());
        out.write(head);
        out.write(payload, 0, length);
        out.write(tail);
        written += head.length + length + tail.length;
    }

    void record(byte kind, ByteSink payload) throws IOException {
        record(kind, payload.bytes, payload.length);
    }

    /** Returns the bytes written so far. */
    long written() {
        return written;
    }

    void flush() throws IOException {
        out.flush();
    }

    void close() throws IOException {
        out.close();
    }

    static void putU32(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    static int u32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }
}
