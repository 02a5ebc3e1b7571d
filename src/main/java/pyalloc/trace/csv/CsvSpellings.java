package pyalloc.trace.csv;

import pyalloc.trace.Domain;
import pyalloc.trace.Op;

/** How format 1 (CSV) spells ops and domains (docs/trace-format.md), read from the bytes of a field. */
final class CsvSpellings {
    /** The spellings accepted in the {@code op} column, for error messages. */
    static final String EXPECTED = "alloc, malloc, a, calloc, free, f, realloc, r, arena_alloc, arena_free or mark";

    private CsvSpellings() {
    }

    /** Returns the op spelled by {@code b[from, to)}, or -1. */
    static byte parseOp(byte[] b, int from, int to) {
        int n = to - from;
        switch (n) {
            case 1:
                return switch (b[from]) {
                    case 'a' -> Op.ALLOC;
                    case 'f' -> Op.FREE;
                    case 'r' -> Op.REALLOC;
                    default -> -1;
                };
            case 4:
                return is(b, from, "free") ? Op.FREE : is(b, from, "mark") ? Op.MARK : -1;
            case 5:
                return is(b, from, "alloc") ? Op.ALLOC : -1;
            case 6:
                return is(b, from, "malloc") ? Op.ALLOC : is(b, from, "calloc") ? Op.CALLOC : -1;
            case 7:
                return is(b, from, "realloc") ? Op.REALLOC : -1;
            case 10:
                return is(b, from, "arena_free") ? Op.ARENA_FREE : -1;
            case 11:
                return is(b, from, "arena_alloc") ? Op.ARENA_ALLOC : -1;
            default:
                return -1;
        }
    }

    /**
     * The ops {@link #fromWord} knows, as little-endian words zero-padded to 8 bytes, by {@link #slot}; an
     * empty slot holds 0 and op -1.
     */
    private static final long[] WORDS = new long[1 << 9];
    private static final byte[] OPS = new byte[1 << 9];

    static {
        java.util.Arrays.fill(OPS, (byte) -1);
        String[] names = {"alloc", "free", "realloc", "calloc", "malloc", "a", "f", "r"};
        byte[] ops = {Op.ALLOC, Op.FREE, Op.REALLOC, Op.CALLOC, Op.ALLOC, Op.ALLOC, Op.FREE, Op.REALLOC};
        for (int i = 0; i < names.length; i++) {
            int k = slot(names[i].charAt(0), names[i].length());
            if (OPS[k] >= 0) {
                throw new ExceptionInInitializerError("two ops in one slot: " + names[i]);
            }
            WORDS[k] = word(names[i]);
            OPS[k] = ops[i];
        }
    }

    private static long word(String s) {
        long w = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            w = (w << 8) | s.charAt(i);
        }
        return w;
    }

    /** The table slot of an op by its first byte and length: distinct for every op above. */
    private static int slot(long firstByte, int n) {
        return (int) (firstByte & 0x1F) << 4 | Math.min(n, 15);
    }

    /**
     * Returns the alloc, free or realloc op spelled by the first {@code n} bytes of a little-endian word, or
     * -1 (n &gt;= 8, or any other word). A table look-up, not a chain of comparisons: no branch to mispredict
     * between ops, and every row it refuses (arena ops, marks, anything malformed) leaves by one branch, which
     * the arena row at a trace's start takes. Marks are refused on purpose: the straight-line row parser that
     * calls this leaves them to the one-row parser. When the first mark halfway through a
     * trace took a branch that no row had taken when C2 compiled that parser, C2 threw the parser away and
     * compiled it again mid-run (-XX:+LogCompilation showed it), running it slower until then.
     */
    static byte fromWord(long x, int n) {
        long w = x & (-1L >>> (64 - (n << 3)));  // for n >= 8 some prefix, never a whole op's word
        int k = slot(x, n);
        return WORDS[k] == w ? OPS[k] : -1;
    }

    private static boolean is(byte[] b, int from, String word) {
        for (int i = 0; i < word.length(); i++) {
            if (b[from + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Returns the domain spelled by {@code b[from, to)} (empty means obj), or -1. */
    static byte parseDomain(byte[] b, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return Domain.OBJ;
        }
        if (n != 3) {
            return -1;
        }
        byte x = b[from];
        byte y = b[from + 1];
        byte z = b[from + 2];
        if (x == 'o' && y == 'b' && z == 'j') {
            return Domain.OBJ;
        }
        if (x == 'm' && y == 'e' && z == 'm') {
            return Domain.MEM;
        }
        if (x == 'r' && y == 'a' && z == 'w') {
            return Domain.RAW;
        }
        return -1;
    }
}
