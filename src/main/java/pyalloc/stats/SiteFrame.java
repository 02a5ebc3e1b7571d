package pyalloc.stats;

import java.util.List;

/**
 * A code location of a call site (docs/trace-format.md, "Call sites"), as the reports name it.
 *
 * @param file     the file, as the interpreter had it
 * @param line     the line, 0 when unknown
 * @param function the function ({@code <module>} for a module's top level)
 */
public record SiteFrame(String file, int line, String function) {

    /** Returns the file's last path element: {@code cache.py} for {@code /srv/app/cache.py}. */
    public String fileName() {
        int slash = file.lastIndexOf('/');
        return slash >= 0 && slash < file.length() - 1 ? file.substring(slash + 1) : file;
    }

    /** Returns {@code cache.py:88 in remember}. */
    public String shortName() {
        return fileName() + ":" + line + " in " + function;
    }

    /** Returns the callers of a stack (innermost first) as {@code app.py:12 in main < run.py:3 in <module>}. */
    public static String callers(List<SiteFrame> stack) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < stack.size(); i++) {
            sb.append(i > 1 ? " < " : "").append(stack.get(i).shortName());
        }
        return sb.toString();
    }
}
