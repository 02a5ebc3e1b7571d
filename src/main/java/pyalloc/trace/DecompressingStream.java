package pyalloc.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads another stream (gunzip) on its own thread, a few 1 MiB chunks ahead, so that decompression overlaps
 * with parsing instead of taking turns with it on the reading thread. Any failure (a gzip stream cut short
 * is an {@link java.io.EOFException}; an {@link OutOfMemoryError}) is rethrown, as the same exception, by the
 * {@code read} that reaches it.
 */
final class DecompressingStream extends InputStream {
    private static final int CHUNK = 1 << 20;
    private static final int AHEAD = 4;

    /** A filled chunk, or the end (length -1) with the failure that ended the stream, if any. */
    private record Chunk(byte[] bytes, int length, Throwable failure) {
    }

    private final InputStream source;
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(AHEAD);
    private final BlockingQueue<byte[]> empty = new ArrayBlockingQueue<>(AHEAD + 2);
    private final Thread thread;
    private Chunk current;
    private int pos;

    DecompressingStream(InputStream source) {
        this.source = source;
        for (int i = 0; i < AHEAD + 2; i++) {
            empty.add(new byte[CHUNK]);
        }
        thread = new Thread(this::pump, "pyalloc-gunzip");
        thread.setDaemon(true);
        thread.start();
    }

    private void pump() {
        try {
            while (true) {
                byte[] b = empty.take();
                int n = 0;
                Throwable failure = null;
                try {
                    for (int k; n < CHUNK && (k = source.read(b, n, CHUNK - n)) > 0; ) {
                        n += k;
                    }
                } catch (Throwable e) {  // out of memory too: the reader waits for this thread's word
                    failure = e;
                }
                if (n > 0) {
                    full.put(new Chunk(b, n, null));
                }
                if (n < CHUNK || failure != null) {
                    full.put(new Chunk(null, -1, failure));
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private boolean advance() throws IOException {
        if (current != null && current.length() < 0) {
            if (current.failure() != null) {
                Failures.rethrow(current.failure());
            }
            return false;
        }
        if (current != null && pos < current.length()) {
            return true;
        }
        if (current != null) {
            empty.add(current.bytes());
        }
        try {
            current = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while decompressing the trace");
        }
        pos = 0;
        return advance();
    }

    @Override
    public int read() throws IOException {
        return advance() ? current.bytes()[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!advance()) {
            return -1;
        }
        int n = Math.min(len, current.length() - pos);
        System.arraycopy(current.bytes(), pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        thread.interrupt();
        source.close();
    }
}
