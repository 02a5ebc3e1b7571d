package pyalloc.trace.csv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight digits at a time ("SIMD within a register"): hex pointers and decimal numbers of a trace row are
 * checked and converted a 64-bit word at a time instead of a byte at a time. This, not tuning, is what lets
 * one core parse a plain trace faster than the model consumes it.
 *
 * <p>Words are read little-endian, so the first character of a field is the lowest byte. Callers must leave
 * 16 readable bytes after any position they pass (the reader keeps that slack at the end of its buffer).
 */
final class Swar {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long NIBBLE = 0x0F0F0F0F0F0F0F0FL;
    private static final long ZEROS = 0x3030303030303030L;
    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
        100_000_000L};

    private Swar() {
    }

    static long word(byte[] b, int p) {
        return (long) LONG.get(b, p);
    }

    /** Returns 0x80 in every byte of {@code z} that is zero (exact: no false positives). */
    private static long zeroBytes(long z) {
        return ~(((z & LOW7) + LOW7) | z) & HIGH;
    }

    /** Returns 0x80 in every byte of {@code x} that is an ASCII decimal digit. */
    static long digitBytes(long x) {
        long hi = x & ~NIBBLE;
        long lo = x & NIBBLE;
        return zeroBytes(hi ^ ZEROS) & ~(lo + 0x7676767676767676L) & HIGH;  // high nibble 3, low nibble <= 9
    }

    /** Returns 0x80 in every byte of {@code x} that is a lower-case hex digit (0-9, a-f). */
    static long hexBytes(long x) {
        long hi = x & ~NIBBLE;
        long lo = x & NIBBLE;
        long letters = zeroBytes(hi ^ 0x6060606060606060L) & ~(lo + 0x7979797979797979L)
                & (lo + 0x7F7F7F7F7F7F7F7FL) & HIGH;  // high nibble 6, low nibble 1..6
        return digitBytes(x) | letters;
    }

    /** Returns how many leading bytes (0..8) are marked in a mask from digitBytes or hexBytes. */
    static int leading(long mask) {
        return Long.numberOfTrailingZeros(~mask & HIGH) >>> 3;
    }

    /** Returns the value of the first {@code n} (1..8) hex digits of {@code x}. */
    static long hexValue(long x, int n) {
        return packNibbles(nibbles(x), n);
    }

    /** Returns the value of the first {@code n} (1..8) decimal digits of {@code x}. */
    static long decimalValue(long x, int n) {
        int shift = (8 - n) << 3;
        x = shift == 0 ? x : (x << shift) | (ZEROS >>> (64 - shift));  // right-align, pad with '0'
        long v = x - ZEROS;
        v = v * 10 + (v >>> 8);
        return (((v & 0x000000FF000000FFL) * (100 + (1_000_000L << 32)))
                + (((v >>> 16) & 0x000000FF000000FFL) * (1 + (10_000L << 32)))) >>> 32;
    }

    /** Returns how many leading bytes of {@code x} (0..8) are from {@code '0'} up: where a field in it ends. */
    static int wordFieldEnd(long x) {
        return Long.numberOfTrailingZeros((x - ZEROS) & ~x & HIGH) >>> 3;
    }

    /**
     * Returns the position of the first byte below {@code '0'} (a comma or a line end, in a row) in
     * {@code b[p, p + 16)}, or -1. This alone decides where the next field starts, so it is kept short: three
     * operations a word. Whether the bytes before it are digits is checked apart, off that chain.
     */
    static int fieldEnd(byte[] b, int p) {
        long x = word(b, p);
        long m = (x - ZEROS) & ~x & HIGH;  // exact for the lowest marked byte: borrows only run upwards
        if (m != 0) {
            return p + (Long.numberOfTrailingZeros(m) >>> 3);
        }
        x = word(b, p + 8);
        m = (x - ZEROS) & ~x & HIGH;
        return m != 0 ? p + 8 + (Long.numberOfTrailingZeros(m) >>> 3) : -1;
    }

    /** What {@link #hexOrBad} returns for a field that is not all lower-case hex digits. */
    static final long BAD_HEX = Long.MIN_VALUE;

    /**
     * Returns the value of the lower-case hex digits {@code b[p, p + n)} (n in 1..16), or {@link #BAD_HEX} when
     * a byte is not one (or the value is {@code BAD_HEX} itself). Checking and converting share each byte's
     * nibble: a byte is a hex digit exactly when that nibble, spelled back, gives the byte.
     */
    static long hexOrBad(byte[] b, int p, int n) {
        if (n <= 8) {
            long x = word(b, p);
            long nib = nibbles(x);
            return (notHex(x, nib) & lowBytes(n)) == 0 ? packNibbles(nib, n) : BAD_HEX;
        }
        long x = word(b, p);
        long y = word(b, p + 8);
        long nx = nibbles(x);
        long ny = nibbles(y);
        if ((notHex(x, nx) | (notHex(y, ny) & lowBytes(n - 8))) != 0) {
            return BAD_HEX;
        }
        return (packNibbles(nx, 8) << ((n - 8) << 2)) | packNibbles(ny, n - 8);
    }

    /** Returns each byte's value as a hex digit if it is one: '0'-'9' to 0-9, 'a'-'f' to 10-15 (others: 0..24). */
    private static long nibbles(long x) {
        return (x & NIBBLE) + ((x >>> 6) & ONES) * 9;
    }

    /** Returns non-zero bits in every byte of {@code x} that is not a lower-case hex digit. */
    private static long notHex(long x, long nib) {
        long spelled = nib + ZEROS + (((nib + 0x0606060606060606L) >>> 4) & ONES) * ('a' - '0' - 10);
        return (spelled ^ x) | ((nib + 0x7070707070707070L) & HIGH);  // a "nibble" over 15 is no digit
    }

    /** Returns the value of the first {@code n} (1..8) nibbles from {@link #nibbles}. */
    private static long packNibbles(long nib, int n) {
        nib <<= (8 - n) << 3;  // right-align: the vacated low bytes read as leading zeros
        long t = ((nib & 0x000F000F000F000FL) << 4) | ((nib >>> 8) & 0x000F000F000F000FL);
        t = ((t & 0x000000FF000000FFL) << 8) | ((t >>> 16) & 0x000000FF000000FFL);
        return ((t & 0xFFFFL) << 16) | ((t >>> 32) & 0xFFFFL);
    }

    /** Returns the value of the decimal digits {@code b[p, p + n)} (n in 1..16), or -1 when a byte is not one. */
    static long decimalOrBad(byte[] b, int p, int n) {
        if (n <= 8) {
            long x = word(b, p);
            return (notDigits(x) & lowBytes(n)) == 0 ? decimalValue(x, n) : -1;
        }
        long x = word(b, p);
        long y = word(b, p + 8);
        if ((notDigits(x) | (notDigits(y) & lowBytes(n - 8))) != 0) {
            return -1;
        }
        return decimalValue(x, 8) * POW10[n - 8] + decimalValue(y, n - 8);
    }

    /**
     * Returns non-zero bits in every byte of {@code x} that is not a decimal digit: its high nibble is not 3, or
     * adding 6 carries out of its low nibble. (A byte that carries into the next one is no digit itself, and
     * the carry only reaches bytes after it.)
     */
    private static long notDigits(long x) {
        return ((x & ~NIBBLE) ^ ZEROS) | (((x + 0x0606060606060606L) & ~NIBBLE) ^ ZEROS);
    }

    /** Returns a mask of the first {@code n} (1..8) bytes of a word. */
    private static long lowBytes(int n) {
        return -1L >>> ((8 - n) << 3);
    }

    /** Returns 10^n for n in 0..8. */
    static long pow10(int n) {
        return POW10[n];
    }
}
