package pyalloc.capture;

/** Why a program could not be recorded; the CLI turns the {@link Reason} into its exit code. */
public final class RecordException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of failure: the caller's mistake, this machine's or interpreter's limits, or the output. */
    public enum Reason {
        /** The interpreter is missing or is not a Python. */
        NO_INTERPRETER,
        /** A setting that would replace the recorder's hooks (PYTHONMALLOC, dev mode), or nothing to run. */
        REFUSED_SETTING,
        /** The interpreter or this machine cannot serve a recording (version, C compiler, LD_PRELOAD, gzip). */
        UNSUPPORTED,
        /** The trace cannot be written where it was asked for. */
        OUTPUT,
        /** The program ran but no Python process in it was traced. */
        NOT_TRACED
    }

    private final Reason reason;

    public RecordException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
