package pyalloc.trace;

/** The event kinds of trace format 1 (shared/docs/trace-format.md), as bytes for primitive batches. */
public final class Op {
    /** ALLOC and CALLOC stay the two smallest: the replay tells them from the rest by {@code op <= CALLOC}. */
    public static final byte ALLOC = 0;
    public static final byte CALLOC = 1;
    public static final byte FREE = 2;
    public static final byte REALLOC = 3;
    public static final byte ARENA_ALLOC = 4;
    public static final byte ARENA_FREE = 5;
    public static final byte MARK = 6;

    /** The spellings accepted in the {@code op} column, for error messages. */
    public static final String EXPECTED = "alloc, malloc, a, calloc, free, f, realloc, r, arena_alloc, arena_free or mark";

    private Op() {
    }

    /** Returns the op spelled by {@code b[from, to)}, or -1. */
    public static byte parse(byte[] b, int from, int to) {
        int n = to - from;
        switch (n) {
            case 1:
                return switch (b[from]) {
                    case 'a' -> ALLOC;
                    case 'f' -> FREE;
                    case 'r' -> REALLOC;
                    default -> -1;
                };
            case 4:
                return is(b, from, "free") ? FREE : is(b, from, "mark") ? MARK : -1;
            case 5:
                return is(b, from, "alloc") ? ALLOC : -1;
            case 6:
                return is(b, from, "malloc") ? ALLOC : is(b, from, "calloc") ? CALLOC : -1;
            case 7:
                return is(b, from, "realloc") ? REALLOC : -1;
            case 10:
                return is(b, from, "arena_free") ? ARENA_FREE : -1;
            case 11:
                return is(b, from, "arena_alloc") ? ARENA_ALLOC : -1;
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
        byte[] ops = {ALLOC, FREE, REALLOC, CALLOC, ALLOC, ALLOC, FREE, REALLOC};
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
     * calls this leaves them to the one-row parser ({@link #parse}). When the first mark halfway through a
     * trace took a branch that no row had taken when C2 compiled that parser, C2 threw the parser away and
     * compiled it again mid-run (-XX:+LogCompilation showed it), running it slower until then.
     */
    public static byte fromWord(long x, int n) {
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

    public static String name(byte op) {
        return switch (op) {
            case ALLOC -> "alloc";
            case CALLOC -> "calloc";
            case FREE -> "free";
            case REALLOC -> "realloc";
            case ARENA_ALLOC -> "arena_alloc";
            case ARENA_FREE -> "arena_free";
            case MARK -> "mark";
            default -> "?";
        };
    }
}
