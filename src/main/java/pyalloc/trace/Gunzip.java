package pyalloc.trace;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses a gzip stream of any number of members, as {@code gzip -d} does (RFC 1952 2.2: "a gzip file
 * consists of a series of members"): {@code cat a.gz b.gz > t.gz}, and a pipe that delivers the second member
 * a second after the first, alike. A cut-short stream is an {@link EOFException}, anything else that is not
 * gzip a {@link ZipException}, each naming the member and the byte of the compressed stream.
 *
 * <p>Why not {@link java.util.zip.GZIPInputStream}: it decides whether another member follows from its source's
 * {@code available()}, which a pipe answers 0 when the next member has not arrived yet, and it takes a next
 * member that is not valid gzip for the end of the stream. Either way a trace ended early, without a word.
 * Here the end is where the compressed stream ends; bytes after a member that do not start another are an
 * error ({@code gzip -d} warns "trailing garbage ignored" and exits 2).
 */
final class Gunzip extends InputStream {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int bufPos;
    private int bufLen;
    /** Offset in the compressed stream of {@code buf[0]}. */
    private long bufStart;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    /** Bytes the current member has decompressed to. */
    private long memberOut;
    /** The current member, from 1. */
    private int member;
    private boolean ended;

    /** Reads the first member's header from {@code in}, which starts with gzip's magic number. */
    Gunzip(InputStream in) throws IOException {
        this.in = in;
        if (!readHeader()) {
            throw new EOFException("gzip header is cut short");
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!ended) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("member " + member + ", near compressed byte " + offset() + ": "
                        + e.getMessage());
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberOut += n;
                return n;
            }
            if (inflater.finished()) {
                endMember();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("member " + member + " needs a preset dictionary, which gzip never uses");
            } else if (inflater.needsInput()) {
                if (bufPos == bufLen && !fill()) {
                    throw new EOFException("member " + member + " ends at compressed byte " + offset());
                }
                inflater.setInput(buf, bufPos, bufLen - bufPos);
                bufPos = bufLen;
            }
        }
        return -1;
    }

    /** Returns the offset in the compressed stream of the next byte not yet taken from it. */
    private long offset() {
        return bufStart + bufPos - (inflater.finished() ? 0 : inflater.getRemaining());
    }

    /** Checks the member's trailer (CRC-32 and size, RFC 1952 2.3.1), then reads the next member's header. */
    private void endMember() throws IOException {
        bufPos = bufLen - inflater.getRemaining();
        long at = bufStart + bufPos;
        long crcWanted = le32();
        long sizeWanted = le32();
        if (crcWanted != crc.getValue()) {
            throw new ZipException("member " + member + " fails its CRC check, trailer at compressed byte " + at);
        }
        if (sizeWanted != (memberOut & 0xffffffffL)) {
            throw new ZipException("member " + member + " has " + memberOut + " bytes but its trailer, at compressed"
                    + " byte " + at + ", says " + sizeWanted);
        }
        ended = !readHeader();
    }

    /** Reads a member header (RFC 1952 2.3); returns false at the end of the stream, before any byte of one. */
    private boolean readHeader() throws IOException {
        long at = bufStart + bufPos;
        int id1 = nextByte();
        if (id1 < 0) {
            return false;
        }
        int id2 = nextByte();
        if (id1 == 0x1f && id2 < 0) {
            throw new EOFException("in the header of member " + (member + 1));
        }
        if (id1 != 0x1f || id2 != 0x8b) {
            throw new ZipException(member == 0 ? "not in gzip format"
                    : "bytes after member " + member + ", from compressed byte " + at + ", are not gzip data");
        }
        int method = headerByte();
        if (method != 8) {
            throw new ZipException("member " + (member + 1) + " uses compression method " + method
                    + ", not deflate (8)");
        }
        int flags = headerByte();
        if ((flags & 0xe0) != 0) {
            throw new ZipException("member " + (member + 1) + " sets reserved header flags (" + flags + ")");
        }
        for (int i = 0; i < 6; i++) {  // MTIME, XFL, OS
            headerByte();
        }
        if ((flags & FEXTRA) != 0) {
            int xlen = headerByte() | headerByte() << 8;
            for (int i = 0; i < xlen; i++) {
                headerByte();
            }
        }
        if ((flags & FNAME) != 0) {
            while (headerByte() != 0) {
                // the original file name
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (headerByte() != 0) {
                // a comment
            }
        }
        if ((flags & FHCRC) != 0) {
            headerByte();
            headerByte();
        }
        member++;
        inflater.reset();
        crc.reset();
        memberOut = 0;
        return true;
    }

    private int headerByte() throws IOException {
        int b = nextByte();
        if (b < 0) {
            throw new EOFException(member == 0 ? "gzip header is cut short"
                    : "in the header of member " + (member + 1));
        }
        return b;
    }

    private long le32() throws IOException {
        long v = 0;
        for (int i = 0; i < 4; i++) {
            int b = nextByte();
            if (b < 0) {
                throw new EOFException("in the trailer of member " + member);
            }
            v |= (long) b << (8 * i);
        }
        return v;
    }

    /** Returns the next compressed byte outside deflate data, or -1 at the end of the stream. */
    private int nextByte() throws IOException {
        if (bufPos == bufLen && !fill()) {
            return -1;
        }
        return buf[bufPos++] & 0xff;
    }

    /**
     * Reads more compressed bytes into an emptied buffer, as many as it holds unless the stream ends first;
     * returns false at the end of the stream. Whole buffers, not what each read(2) happens to bring: the
     * inflater then sees the same pieces from a slow pipe as from a file, so that a corrupt stream fails after
     * the same line and at the same byte, wherever it comes from.
     */
    private boolean fill() throws IOException {
        bufStart += bufLen;
        bufPos = 0;
        bufLen = 0;
        for (int n; bufLen < buf.length && (n = in.read(buf, bufLen, buf.length - bufLen)) >= 0; ) {
            bufLen += n;
        }
        return bufLen > 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
