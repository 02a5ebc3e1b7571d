package pyalloc.trace;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.ZipException;

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

    /** Returns the trace's base name without .pyat, .csv or .gz, for naming its report folder and marks. */
    public String stem() {
        if (path == null) {
            return "stdin";
        }
        String s = path.getFileName().toString();
        for (String ext : new String[] {".gz", ".csv", ".pyat", ".txt"}) {
            if (s.endsWith(ext)) {
                s = s.substring(0, s.length() - ext.length());
            }
        }
        return s.isEmpty() ? "trace" : s;
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
                // Plain reads, not memory-mapped windows: on this kind of virtual machine, faulting the mapped
                // pages in and unmapping them cost the reading thread 20-40 % of its time, reads about 15 %.
                // Anything else readable is a stream (a FIFO, <(zcat t.gz), /dev/stdin): FileInputStream reads
                // it as one, where a channel's stream asks it for a position ("Illegal seek").
                raw = Files.isRegularFile(path) ? Files.newInputStream(path) : new FileInputStream(path.toFile());
            } catch (NoSuchFileException | FileNotFoundException e) {
                if (Files.exists(path)) {
                    throw new AccessDeniedException(name);
                }
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
            Gunzip gunzip;
            try {
                gunzip = new Gunzip(in);  // reads the first member's header
            } catch (EOFException | ZipException e) {
                in.close();
                throw new TraceFormatException(name, 0, e instanceof EOFException ? "gzip header is cut short"
                        : "gzip header is corrupt (" + e.getMessage() + ")");
            }
            return gunzipAhead ? new DecompressingStream(gunzip) : gunzip;
        }
        return in;
    }
}
