package pyalloc.cli;

/** A failure that already has its message and exit code: printed as one line, no stack trace. */
public final class PyallocException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public PyallocException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
