package pyalloc.trace.binary;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;

/**
 * Compresses the stored blocks of a format-2 trace with zstd, record by record, without decoding a single event:
 * what {@code pyalloc record} does to the trace the recorder wrote (the recorder has no compression library).
 * Every other record, a block already compressed, a record that fails its checksum and a record cut short at the
 * end are copied as they are, so the result holds exactly what the input held, problems included, for the reader
 * to report.
 */
public final class BlockCompression {
    private BlockCompression() {
    }

    /** Compresses the blocks of the trace {@code file} in place (a temporary file beside it, then a rename). */
    public static void compressInPlace(Path file) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".zst-" + ProcessHandle.current().pid());
        try {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                    OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                compress(in, out);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Copies a format-2 trace from {@code in} to {@code out}, its stored blocks compressed. */
    public static void compress(InputStream in, OutputStream out) throws IOException {
        byte[] preamble = in.readNBytes(BinaryFormat.PREAMBLE);
        out.write(preamble);
        if (preamble.length < BinaryFormat.PREAMBLE || !BinaryFormat.sniff(preamble, preamble.length)) {
            in.transferTo(out);  // not a trace this can read: left for the reader to name
            return;
        }
        RecordOutput records = new RecordOutput(out);
        CRC32C crc = new CRC32C();
        byte[] head = new byte[BinaryFormat.RECORD_HEAD];
        byte[] payload = new byte[1 << 20];
        ByteSink data = new ByteSink(1 << 20);
        ByteSink packed = new ByteSink(1 << 20);
        try (BlockCodec zstd = BlockCodec.zstd()) {
            while (true) {
                int n = in.readNBytes(head, 0, head.length);
                long length = RecordOutput.u32(head, 1) & 0xFFFFFFFFL;
                if (n < head.length || length > BinaryFormat.MAX_PAYLOAD) {
                    out.write(head, 0, n);
                    in.transferTo(out);
                    return;
                }
                int total = (int) length + BinaryFormat.RECORD_TAIL;
                if (payload.length < total) {
                    payload = new byte[total];
                }
                n = in.readNBytes(payload, 0, total);
                crc.reset();
                crc.update(head, 0, head.length);
                crc.update(payload, 0, (int) length);
                boolean whole = n == total && (int) crc.getValue() == RecordOutput.u32(payload, (int) length);
                if (whole && head[0] == BinaryFormat.BLOCK && storedBlock(payload, (int) length, data)) {
                    packed.clear();
                    packed.varint(count(payload));
                    zstd.encode(data, packed);
                    records.record(BinaryFormat.BLOCK, packed);
                } else {
                    out.write(head);
                    out.write(payload, 0, n);
                    if (n < total) {
                        return;
                    }
                }
            }
        }
    }

    private static long count(byte[] payload) {
        return new VarintAt(payload).next();
    }

    /** Puts a stored block's event data in {@code data}; false when the block is compressed or malformed. */
    private static boolean storedBlock(byte[] payload, int length, ByteSink data) {
        VarintAt v = new VarintAt(payload);
        v.next();  // count
        long codec = v.next();
        long raw = v.next();
        if (codec != BinaryFormat.CODEC_NONE || v.at < 0 || raw != length - v.at) {
            return false;
        }
        data.clear();
        data.put(payload, v.at, (int) raw);
        return true;
    }

    /** Varints read one after another from the start of a payload; {@link #at} -1 once one ran past 10 bytes. */
    private static final class VarintAt {
        private final byte[] b;
        int at;

        VarintAt(byte[] b) {
            this.b = b;
        }

        long next() {
            long v = 0;
            for (int shift = 0; at >= 0 && shift < 70 && at < b.length; shift += 7) {
                int x = b[at++];
                v |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    return v;
                }
            }
            at = -1;
            return -1;
        }
    }
}
