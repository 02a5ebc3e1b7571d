package pyalloc.trace.binary;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/** A growing byte array with format 2's integer encodings (docs/trace-format.md, "Integers"). */
final class ByteSink {
    byte[] bytes;
    int length;

    ByteSink(int capacity) {
        bytes = new byte[capacity];
    }

    void clear() {
        length = 0;
    }

    /** Makes room for {@code n} more bytes. */
    void reserve(int n) {
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
        }
    }

    void put(int b) {
        reserve(1);
        bytes[length++] = (byte) b;
    }

    void put(byte[] b, int from, int n) {
        reserve(n);
        System.arraycopy(b, from, bytes, length, n);
        length += n;
    }

    void put(ByteSink other) {
        put(other.bytes, 0, other.length);
    }

    /** An unsigned LEB128 varint: 7 bits a byte, low bits first, the top bit set on every byte but the last. */
    void varint(long v) {
        reserve(10);
        byte[] b = bytes;
        int p = length;
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        length = p;
    }

    /**
     * A flagged varint: the first byte holds the flag in bit 0 and the value's low 6 bits in bits 1-6 (bit 7: more
     * follows), then the rest of the value ({@code v >>> 6}) as a varint. Carries a full 64-bit value and a bit.
     */
    void flaggedVarint(long v, int flag) {
        long rest = v >>> 6;
        reserve(11);
        bytes[length++] = (byte) (((v & 0x3F) << 1) | flag | (rest != 0 ? 0x80 : 0));
        if (rest != 0) {
            varint(rest);
        }
    }

    /** A pointer as its delta from {@code previous}: divided by 16 (flag 0) when it is a multiple of 16, zigzagged. */
    void pointerDelta(long ptr, long previous) {
        long d = ptr - previous;
        if ((d & ((1 << BinaryFormat.ALIGN_SHIFT) - 1)) == 0) {
            flaggedVarint(zigzag(d >> BinaryFormat.ALIGN_SHIFT), 0);
        } else {
            flaggedVarint(zigzag(d), 1);
        }
    }

    /** A string: its UTF-8 length as a varint, then its bytes. */
    void string(byte[] utf8) {
        varint(utf8.length);
        put(utf8, 0, utf8.length);
    }

    void u32(int v) {
        reserve(4);
        bytes[length++] = (byte) v;
        bytes[length++] = (byte) (v >>> 8);
        bytes[length++] = (byte) (v >>> 16);
        bytes[length++] = (byte) (v >>> 24);
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, length);
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
