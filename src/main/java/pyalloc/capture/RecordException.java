package pyalloc.capture;

/** Why a program could not be recorded, with the exit code the CLI gives it. */
public final class RecordException extends Exception {
    private static final long serialVersionUID = 1L;
    /** The interpreter is missing or is not a Python (a usage error). */
    public static final int NO_INTERPRETER = 2;
    /** The interpreter or this machine cannot serve a recording (headers, libpython, C compiler, version). */
    public static final int UNSUPPORTED = 8;

    private final int exitCode;

    public RecordException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
