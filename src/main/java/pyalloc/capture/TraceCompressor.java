package pyalloc.capture;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import pyalloc.trace.binary.BlockCompression;

/**
 * Compresses a binary trace's blocks while the recorder is still writing them: a thread follows the file as it
 * grows and writes the compressed copy beside it, so the work runs on the core the program leaves free, not
 * after the program. The recorder writes whole records with one writev(2) each, and this reads only whole
 * records (it waits for the rest of one it sees begun), so the copy is the trace, block for block.
 */
final class TraceCompressor {
    private static final long POLL_MS = 5;

    private final Path stored;
    private final Path packed;
    private final Thread thread;
    private volatile boolean writerDone;
    private volatile IOException failure;

    /** Starts following {@code stored} (it may not exist yet) into {@code packed}. */
    TraceCompressor(Path stored, Path packed) {
        this.stored = stored;
        this.packed = packed;
        this.thread = new Thread(this::run, "pyalloc-compress");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        Following following = new Following();
        try (InputStream in = new BufferedInputStream(following, 1 << 20)) {
            if (!following.open()) {
                return;  // no process wrote this trace
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(packed), 1 << 16)) {
                BlockCompression.compress(in, out);
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    /**
     * Once the recorder has closed the trace: waits for the copy to catch up, and puts it in the place of the
     * stored trace. Throws when the copy could not be made; the stored trace is then left as it is.
     */
    void finish() throws IOException {
        writerDone = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing the trace");
        }
        if (failure != null) {
            Files.deleteIfExists(packed);
            throw failure;
        }
        if (Files.exists(packed) && Files.exists(stored)) {
            Files.move(packed, stored, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Leaves the stored trace as it is (a writer still running: the copy could miss its last blocks). */
    void abandon() throws IOException {
        writerDone = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(packed);
    }

    /** The stored trace as a stream that waits for the recorder's next bytes until it is done writing. */
    private final class Following extends InputStream {
        private FileChannel channel;

        private boolean open() throws IOException {
            while (channel == null) {
                if (Files.exists(stored)) {
                    channel = FileChannel.open(stored, StandardOpenOption.READ);
                } else if (writerDone) {
                    return false;
                } else {
                    pause();
                }
            }
            return true;
        }

        private void pause() throws InterruptedIOException {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                throw new InterruptedIOException("the recording was abandoned");
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!open()) {
                return -1;
            }
            while (true) {
                boolean done = writerDone;  // read before the bytes: nothing is written after it is set
                int n = channel.read(ByteBuffer.wrap(b, off, len));
                if (n > 0) {
                    return n;
                }
                if (done) {
                    return -1;
                }
                pause();
            }
        }

        @Override
        public int available() throws IOException {
            return channel == null ? 0 : (int) Math.min(Integer.MAX_VALUE, channel.size() - channel.position());
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
