package pyalloc.trace;

/** The event kinds of trace format 1 (shared/docs/trace-format.md), as bytes for primitive batches. */
public final class Op {
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

    private static final long W_ALLOC = word("alloc");
    private static final long W_FREE = word("free");
    private static final long W_REALLOC = word("realloc");
    private static final long W_CALLOC = word("calloc");
    private static final long W_MALLOC = word("malloc");
    private static final long W_MARK = word("mark");

    private static long word(String s) {
        long w = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            w = (w << 8) | s.charAt(i);
        }
        return w;
    }

    /**
     * Returns the alloc, free or realloc op spelled by the first {@code n} bytes of a little-endian word
     * (n &lt; 8), or -1. The arena ops are longer than a word, and marks are left out on purpose: the
     * straight-line row parser that calls this leaves those rare rows to the one-row parser ({@link #parse}).
     * Both leave by the same branch, which the arena row at a trace's start takes: a branch that no row had
     * taken yet when C2 compiled the parser, taken by the first mark halfway through a trace, made C2 throw
     * the parser away and compile it again mid-run (about a tenth of the replay's speed, alternating runs).
     */
    public static byte fromWord(long x, int n) {
        long w = x & (-1L >>> (64 - (n << 3)));
        long notMark = w ^ W_MARK;
        n |= (int) (~(notMark | -notMark) >>> 63) << 3;  // a mark counts as long as an arena op, with no branch
        if (n == 0 || n >= 8) {
            return -1;
        }
        if (w == W_ALLOC) {
            return ALLOC;
        } else if (w == W_FREE) {
            return FREE;
        } else if (w == W_REALLOC) {
            return REALLOC;
        } else if (w == W_CALLOC) {
            return CALLOC;
        } else if (w == W_MALLOC) {
            return ALLOC;
        } else if (w == 'a') {
            return ALLOC;
        } else if (w == 'f') {
            return FREE;
        } else if (w == 'r') {
            return REALLOC;
        }
        return -1;
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
