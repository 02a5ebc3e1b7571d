package pyalloc.replay;

/**
 * The live blocks of a trace add up to more bytes than a 64-bit count holds (2^63 - 1), or the bytes it allocates
 * in all (the allocation clock) do: no process can have them, so the trace is wrong at this line. {@link Replay}
 * reports it as a malformed trace.
 */
final class SizeOverflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long line;

    SizeOverflowException(long line, long size) {
        super("size " + size + " brings the live blocks, or the bytes allocated in all, to more than " + Long.MAX_VALUE
                + " bytes (2^63 - 1), more than any 64-bit process can hold");
        this.line = line;
    }

    long line() {
        return line;
    }
}
