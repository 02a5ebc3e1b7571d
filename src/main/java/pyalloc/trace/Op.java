package pyalloc.trace;

/**
 * The event kinds of a trace (docs/trace-format.md), as bytes for primitive batches; how a format spells them is
 * the format's business (trace/csv: {@code CsvSpellings}).
 */
public final class Op {
    /** ALLOC and CALLOC stay the two smallest: the replay tells them from the rest by {@code op <= CALLOC}. */
    public static final byte ALLOC = 0;
    public static final byte CALLOC = 1;
    public static final byte FREE = 2;
    public static final byte REALLOC = 3;
    public static final byte ARENA_ALLOC = 4;
    public static final byte ARENA_FREE = 5;
    public static final byte MARK = 6;

    private Op() {
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
