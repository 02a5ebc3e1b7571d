package pyalloc.trace.binary;

import pyalloc.trace.Domain;
import pyalloc.trace.Op;

/**
 * Trace format 2, binary ({@code .pyat}; docs/trace-format.md defines it byte by byte): the constants a reader
 * and a writer share. The recorder ({@code recorder.c}) writes the same bytes from C.
 *
 * <p>Why it looks as it does: a CSV row costs about 44 bytes and most of the replay's reading time goes into
 * digits; here an event costs about 6 bytes before compression and 3 after, and decoding it is a few shifts.
 * Events go in blocks, each self-contained (deltas start afresh), checksummed and optionally zstd-compressed, and
 * within a block each field has a stream of its own (struct of arrays): the pointers' deltas next to each other
 * compress far better than rows do.
 */
public final class BinaryFormat {
    /** The first 8 bytes of every format-2 trace: a non-ASCII first byte, a name, and the bytes text tools mangle. */
    static final byte[] MAGIC = {(byte) 0x89, 'p', 'y', 'a', 't', '\r', '\n', 0x1a};
    /** The format's number in docs/trace-format.md, after the magic number as a 16-bit little-endian integer. */
    public static final int VERSION = 2;
    /** Magic number, version and a reserved 16-bit word: where the first record starts. */
    static final int PREAMBLE = 12;

    /** Record kinds: an upper-case kind must be understood; a lower-case one may be skipped. */
    static final byte HEADER = 'H';
    static final byte BLOCK = 'B';
    static final byte FRAME = 'F';
    static final byte SITE = 'S';
    static final byte END = 'E';
    /** A record's head: kind and payload length; its tail: the CRC-32C of head and payload. */
    static final int RECORD_HEAD = 5;
    static final int RECORD_TAIL = 4;
    /** The largest payload a reader accepts (a length beyond it is corruption, not a record to buffer). */
    static final int MAX_PAYLOAD = 1 << 24;
    /** The most events one block holds. */
    public static final int MAX_BLOCK_EVENTS = 1 << 16;

    /** Block codecs. */
    static final int CODEC_NONE = 0;
    static final int CODEC_ZSTD = 1;

    /** Header column bits: events carry a time; events may carry a site id. */
    static final int COLUMN_TIME = 1;
    static final int COLUMN_SITE = 2;

    /** The event tag: op in bits 0-2, domain in bits 3-4, bit 5 reserved (0), a site id, a line gap. */
    static final int TAG_OP = 0x07;
    static final int TAG_DOMAIN_SHIFT = 3;
    static final int TAG_DOMAIN = 0x18;
    static final int TAG_RESERVED = 0x20;
    static final int TAG_SITE = 0x40;
    static final int TAG_GAP = 0x80;

    /** The streams of a block's event data, in their order after the tags. */
    static final int PTR = 0;
    static final int SIZE = 1;
    static final int NEW_PTR = 2;
    static final int NS = 3;
    static final int LABEL = 4;
    static final int SITE_ID = 5;
    static final int GAP = 6;
    static final int STREAMS = 7;

    /** Pointer deltas that are multiples of this (pymalloc's and glibc's alignment) are stored divided by it. */
    static final int ALIGN_SHIFT = 4;

    private BinaryFormat() {
    }

    /** Returns whether events of this op carry a pointer (all but marks). */
    static boolean hasPtr(int op) {
        return op != Op.MARK;
    }

    /** Returns whether events of this op carry a size: all but free and mark (arena_free: the arena's, or 0). */
    static boolean hasSize(int op) {
        return op != Op.FREE && op != Op.MARK;
    }

    /** Returns whether a domain value is one of format 1's. */
    static boolean knownDomain(int domain) {
        return domain == Domain.OBJ || domain == Domain.MEM || domain == Domain.RAW;
    }

    /**
     * Returns true when {@code head[0, n)} starts with the magic number's first byte, 0x89, which starts no text
     * (it is no UTF-8 lead byte): the reader then checks the rest and names a binary file that is no trace (a
     * PNG starts with 0x89 too) for what it is, instead of reading it as CSV.
     */
    public static boolean sniff(byte[] head, int n) {
        return n >= 1 && head[0] == MAGIC[0];
    }
}
