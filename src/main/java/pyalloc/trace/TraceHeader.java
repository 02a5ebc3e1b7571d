package pyalloc.trace;

import java.util.List;
import java.util.Optional;

/**
 * What a trace says about itself before its first event, whatever its format: which interpreter recorded it,
 * on what, and which columns its rows carry.
 *
 * @param formatVersion the trace format (1: CSV, docs/trace-format.md)
 * @param python        the recording interpreter's version ({@code 3.12.1}), or null when the trace names none
 * @param executable    the interpreter's path, or null
 * @param platform      the recording machine ({@code Linux x86_64}), or null
 * @param hasTime       rows carry a time ({@code ns}); else the event index is the clock
 * @param comments      the header's free-text lines, as written (CSV: the {@code #} lines before the columns)
 */
public record TraceHeader(int formatVersion, String python, String executable, String platform, boolean hasTime,
        List<String> comments) {

    public TraceHeader {
        comments = List.copyOf(comments);
    }

    /** Returns the recording interpreter's version, if the trace names one. */
    public Optional<String> pythonVersion() {
        return Optional.ofNullable(python);
    }
}
