package pyalloc.trace.binary;

import java.nio.charset.StandardCharsets;

/**
 * Reads the small records (header, sites) field by field with every bound checked; a field that runs past the
 * record is reported by {@link Malformed}, which the reader turns into a message with the record's byte offset.
 */
final class ByteSource {
    /** A field that runs past its record, or a value out of range. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private final byte[] b;
    private final int end;
    private int pos;

    ByteSource(byte[] b, int from, int end) {
        this.b = b;
        this.pos = from;
        this.end = end;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= end;
    }

    long varint(String what) throws Malformed {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw new Malformed(what + " runs past the end of its record");
            }
            int x = b[pos++];
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                if (shift == 63 && x > 1) {
                    break;
                }
                return v;
            }
        }
        throw new Malformed(what + " is not a varint of at most 64 bits");
    }

    /** A varint that must fit in {@code [0, max]}. */
    long varint(String what, long max) throws Malformed {
        long v = varint(what);
        if (v < 0 || v > max) {
            throw new Malformed(what + " " + Long.toUnsignedString(v) + " is out of range (at most " + max + ")");
        }
        return v;
    }

    String string(String what) throws Malformed {
        int n = (int) varint(what + "'s length", Integer.MAX_VALUE);
        if (n > end - pos) {
            throw new Malformed(what + " (" + n + " bytes) runs past the end of its record");
        }
        String s = new String(b, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }
}
