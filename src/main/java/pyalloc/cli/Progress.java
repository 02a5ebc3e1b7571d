package pyalloc.cli;

import java.io.PrintWriter;
import java.util.Locale;
import pyalloc.report.ReportSink;
import pyalloc.stats.RunResult;

/** A one-line progress meter on standard error, shown only on a terminal so that pipelines stay clean. */
final class Progress implements ReportSink {
    private static final long EVERY_NS = 250_000_000L;
    private final PrintWriter err;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long last = start;
    private boolean shown;

    Progress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** Returns true when standard input and output are a terminal (System.console()). */
    static boolean onTerminal() {
        return System.console() != null;
    }

    @Override
    public void onProgress(long events) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - last < EVERY_NS) {
            return;
        }
        last = now;
        double secs = (now - start) / 1e9;
        err.printf(Locale.ROOT, "\r  %,d events, %.1f s, %,.0f events/s ", events, secs, events / secs);
        err.flush();
        shown = true;
    }

    /** Clears the progress line before anything else prints. */
    @Override
    public void onEnd(RunResult result) {
        if (shown) {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
