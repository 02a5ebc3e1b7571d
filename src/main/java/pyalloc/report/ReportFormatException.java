package pyalloc.report;

/**
 * A report's CSV file that is not what pyalloc wrote (cut short, edited into something else): names the file,
 * the line and what is wrong, as {@code pyalloc chart} prints it (exit 3, as a malformed trace).
 */
public final class ReportFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReportFormatException(String file, long line, String problem) {
        super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
    }
}
