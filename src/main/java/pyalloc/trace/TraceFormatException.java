package pyalloc.trace;

/**
 * A trace that breaks format 1: names the file, the line and the offending text, ready to print as is
 * ({@code app.csv:48213: size "-12" is not a non-negative integer}).
 */
public final class TraceFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final long line;
    private final String problem;

    public TraceFormatException(String file, long line, String problem) {
        super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    /**
     * Returns the failure to report for a gzip stream that broke ({@link java.io.EOFException}: cut short; {@link
     * java.util.zip.ZipException}: corrupt) after {@code lines} good lines, or null for another I/O failure.
     */
    public static TraceFormatException brokenGzip(String file, long lines, java.io.IOException e) {
        String how = e instanceof java.io.EOFException ? "cut short"
                : e instanceof java.util.zip.ZipException ? "corrupt" : null;
        if (how == null) {
            return null;
        }
        return new TraceFormatException(file, 0, "gzip stream is " + how + " after line " + lines
                + (e.getMessage() != null ? " (" + e.getMessage() + ")" : ""));
    }

    public String file() {
        return file;
    }

    /** Returns the 1-based line number, or 0 when the problem is not tied to a line. */
    public long line() {
        return line;
    }

    /** Returns the message without the file and line prefix. */
    public String problem() {
        return problem;
    }

    /** Returns {@code text} quoted for a message: at most 40 characters, control and non-ASCII bytes escaped. */
    public static String quote(byte[] b, int from, int to) {
        StringBuilder sb = new StringBuilder("\"");
        int end = Math.min(to, from + 40);
        for (int i = from; i < end; i++) {
            int c = b[i] & 0xff;
            if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        if (end < to) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }

    public static String quote(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return quote(b, 0, b.length);
    }
}
