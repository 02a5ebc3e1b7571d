package pyalloc.report.text;

/**
 * Text from a trace (a mark's label) made safe for a line of text output: a label may hold any character a
 * quoted CSV field can (a newline, an escape sequence for the terminal), and printed as is it would break the
 * {@code # mark LABEL} line of {@code --emit debugmallocstats} or drive the terminal.
 */
final class Printable {
    private Printable() {
    }

    /**
     * Returns a whole text for a terminal with every control character but the line end written as an escape:
     * names from a trace (call sites' files and functions, in the findings too) reach it in many places, and one
     * holding an escape sequence would drive the terminal.
     */
    static String text(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c != '\n' && (c < 0x20 || c >= 0x7f && c <= 0x9f);
            if (control && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                sb.append(control ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** Returns {@code s} with every control character (C0, DEL, C1) and backslash written as an escape. */
    static String of(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || c >= 0x7f && c <= 0x9f || c == '\\';
            if (control && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (c == '\\') {
                    sb.append("\\\\");
                } else if (control) {
                    sb.append(c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r"
                            : String.format("\\x%02x", (int) c));
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }
}
