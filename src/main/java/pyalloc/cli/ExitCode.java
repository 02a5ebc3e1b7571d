package pyalloc.cli;

/** pyalloc's exit codes: stable, documented in README and in every command's --help. */
public final class ExitCode {
    public static final int OK = 0;
    /** A bug in pyalloc: the message asks to report it. */
    public static final int INTERNAL = 1;
    /** Bad command line. */
    public static final int USAGE = 2;
    /** The trace breaks the format: file:line: what is wrong (a binary trace: file: byte N: what is wrong). */
    public static final int BAD_TRACE = 3;
    /** A file cannot be read or written (missing trace, read-only or full disk, ...). */
    public static final int IO = 4;
    /** An anomaly under --strict. */
    public static final int ANOMALY = 5;
    /** verify found a divergence from the real interpreter. */
    public static final int DIVERGENCE = 6;
    /** The live set does not fit in the Java heap. */
    public static final int OUT_OF_MEMORY = 7;
    /** record: the interpreter or this machine cannot serve a recording (version, C compiler, LD_PRELOAD). */
    public static final int CANNOT_RECORD = 8;

    /** The list picocli prints under "Exit codes:" in --help. */
    public static final String[] HELP_LIST = {
        "0:OK",
        "1:internal error (a bug in pyalloc; please report it)",
        "2:usage error (bad option or argument)",
        "3:malformed trace (the message names file:line, or file: byte N in a binary trace)",
        "4:I/O error (cannot read the trace, write the report or write standard output)",
        "5:anomaly found with --strict",
        "6:verify: the replay diverged from the real interpreter",
        "7:out of memory (the message says what did not fit; raise the heap: PYALLOC_JAVA_OPTS=-Xmx8g)",
        "8:record: this interpreter or machine cannot serve a recording (the message says what is missing)",
        "*:record: once the program ran, its own exit code",
    };

    private ExitCode() {
    }
}
