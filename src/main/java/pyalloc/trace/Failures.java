package pyalloc.trace;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Carrying another thread's failure over to the thread that waited for it. */
public final class Failures {
    private Failures() {
    }

    /** Throws {@code t} on the caller's thread: as itself, unless it is checked but no I/O. */
    public static void rethrow(Throwable t) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        } else if (t instanceof RuntimeException re) {
            throw re;
        } else if (t instanceof Error err) {
            throw err;
        }
        throw new UncheckedIOException(new IOException(t));
    }
}
