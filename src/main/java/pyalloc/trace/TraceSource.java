package pyalloc.trace;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Where a trace comes from: a file, gzip-compressed or not (told by content), or standard input ({@code -}). */
public final class TraceSource {
    private final String name;
    private final Path path;

    private TraceSource(String name, Path path) {
        this.name = name;
        this.path = path;
    }

    /** Returns the source for a command-line argument: {@code -} is standard input. */
    public static TraceSource of(String arg) {
        return arg.equals("-") ? new TraceSource("<stdin>", null) : new TraceSource(arg, Path.of(arg));
    }

    /** Returns the name used in messages: the path as given, or {@code <stdin>}. */
    public String name() {
        return name;
    }

    public boolean isStdin() {
        return path == null;
    }

    /** Returns the trace's base name without .csv / .gz, for naming its report folder. */
    public String stem() {
        if (path == null) {
            return "stdin";
        }
        String s = path.getFileName().toString();
        for (String ext : new String[] {".gz", ".csv", ".txt"}) {
            if (s.endsWith(ext)) {
                s = s.substring(0, s.length() - ext.length());
            }
        }
        return s.isEmpty() ? "trace" : s;
    }

    /**
     * A regular file read through memory-mapped windows: the reader's buffer is filled by one copy from the
     * page cache, without a read system call per buffer (85M-event replay: +5 %). Each window is unmapped as
     * soon as the next one is mapped, so resident memory does not grow with the trace: left to the garbage
     * collector, which may not run at all in a replay, every window ever read would stay mapped.
     */
    private static final class MappedStream extends InputStream {
        private static final long WINDOW = 64L << 20;
        private final FileChannel channel;
        private final long size;
        private long offset;
        private MappedByteBuffer window;

        MappedStream(Path path) throws IOException {
            this.channel = FileChannel.open(path);
            this.size = channel.size();
        }

        private boolean ready() throws IOException {
            if (window != null && window.hasRemaining()) {
                return true;
            }
            if (offset >= size) {
                return false;
            }
            long length = Math.min(WINDOW, size - offset);
            unmap();
            window = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
            offset += length;
            return true;
        }

        @Override
        public int read() throws IOException {
            return ready() ? window.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!ready()) {
                return -1;
            }
            int n = Math.min(len, window.remaining());
            window.get(b, off, n);
            return n;
        }

        private void unmap() {
            if (window != null) {
                UNSAFE.invokeCleaner(window);
                window = null;
            }
        }

        @Override
        public void close() throws IOException {
            unmap();
            channel.close();
        }
    }

    /** For {@code invokeCleaner}: the supported way to unmap a mapped buffer now (module jdk.unsupported). */
    private static final sun.misc.Unsafe UNSAFE;

    static {
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            UNSAFE = (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Opens the trace's bytes, unwrapping gzip when the content starts with gzip's magic number; gunzip runs
     * on a thread of its own, a few MiB ahead of the reader.
     */
    public InputStream open() throws IOException {
        return open(true);
    }

    /**
     * As {@link #open()}, but gunzip runs on the thread that reads: for a reader that already has a thread
     * of its own to spare for it (three busy threads on two cores would starve gunzip).
     */
    public InputStream openDirect() throws IOException {
        return open(false);
    }

    private InputStream open(boolean gunzipAhead) throws IOException {
        InputStream raw;
        if (path == null) {
            raw = System.in;
        } else {
            if (Files.isDirectory(path)) {
                throw new IOException(name + " is a folder, not a trace file");
            }
            try {
                raw = Files.isRegularFile(path) ? new MappedStream(path) : Files.newInputStream(path);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(name);  // named as the user gave it
            }
        }
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        if (!gzip && name.endsWith(".gz")) {
            in.close();
            throw new TraceFormatException(name, 0, "is named .gz but is not gzip-compressed");
        }
        if (gzip) {
            GZIPInputStream gunzip = new GZIPInputStream(in, 1 << 16);
            return gunzipAhead ? new DecompressingStream(gunzip) : gunzip;
        }
        return in;
    }
}
