package pyalloc.capture;

import java.util.Map;

/**
 * The caller's {@code LC_ALL}, as bin/pyalloc found it before running Java under a UTF-8 locale (Java names
 * files in the locale's character set): a recorded program runs with it, as the user runs it.
 */
final class CallerLocale {
    /** {@code set:VALUE}, or {@code unset}; absent when the launcher changed nothing. */
    static final String VARIABLE = "PYALLOC_CALLER_LC_ALL";

    private CallerLocale() {
    }

    /** Puts the caller's LC_ALL back into a child's environment, and takes the launcher's note out of it. */
    static void restore(Map<String, String> env) {
        String saved = env.remove(VARIABLE);
        if (saved == null) {
            return;
        }
        if (saved.startsWith("set:")) {
            env.put("LC_ALL", saved.substring("set:".length()));
        } else {
            env.remove("LC_ALL");
        }
    }
}
