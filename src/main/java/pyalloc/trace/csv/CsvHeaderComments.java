package pyalloc.trace.csv;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pyalloc.trace.TraceHeader;

/**
 * The comment lines a recorder writes before a CSV trace's column header ({@code # python 3.12.1},
 * {@code # executable ...}, {@code # platform ...}; docs/trace-format.md), read into a {@link TraceHeader}.
 */
final class CsvHeaderComments {
    private static final Pattern FIELD = Pattern.compile("^#\\s*(python|executable|platform)\\s+(.+?)\\s*$");
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\S*");

    private CsvHeaderComments() {
    }

    /** Returns the header of a format-1 trace with these comment lines; the first of each field counts. */
    static TraceHeader parse(List<String> comments, boolean hasTime) {
        String python = null;
        String executable = null;
        String platform = null;
        for (String c : comments) {
            Matcher m = FIELD.matcher(c.trim());
            if (!m.matches()) {
                continue;
            }
            String value = m.group(2);
            switch (m.group(1)) {
                case "python" -> {
                    Matcher v = VERSION.matcher(value);
                    if (python == null && v.lookingAt()) {
                        python = v.group();
                    }
                }
                case "executable" -> executable = executable == null ? value : executable;
                default -> platform = platform == null ? value : platform;
            }
        }
        return new TraceHeader(1, python, executable, platform, hasTime, comments);
    }
}
