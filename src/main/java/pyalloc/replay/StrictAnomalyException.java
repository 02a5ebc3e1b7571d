package pyalloc.replay;

import pyalloc.stats.AnomalyLog;
import pyalloc.trace.TraceFormatException;

/** Thrown by a strict replay at the first anomaly; the message starts with the trace line. */
public final class StrictAnomalyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StrictAnomalyException(AnomalyLog.Entry entry) {
        super(entry.line() + ": " + entry.kind().description().replaceFirst(" \\(.*\\)$", "")
                + " (" + (entry.pointer().matches("0x[0-9a-f]+") ? entry.pointer()
                        : TraceFormatException.quote(entry.pointer())) + ")");
    }
}
