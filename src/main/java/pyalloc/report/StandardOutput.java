package pyalloc.report;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * Standard output as the commands write it: a {@link PrintWriter} (which, as {@link System#out}, swallows
 * write errors) that remembers why a write failed, so that a full disk or a closed pipe is an I/O error that
 * says so ({@link #check}), never a run that exits 0 having printed nothing.
 */
public final class StandardOutput extends PrintWriter {
    private final Recorder recorder;

    private StandardOutput(Recorder recorder, Charset charset) {
        super(new OutputStreamWriter(recorder, charset), false);
        this.recorder = recorder;
    }

    /** Returns a writer on file descriptor 1, in the charset {@link System#out} uses, buffered, not autoflushing. */
    public static StandardOutput open() {
        String encoding = System.getProperty("sun.stdout.encoding");
        Charset charset = encoding != null && Charset.isSupported(encoding) ? Charset.forName(encoding)
                : Charset.defaultCharset();
        return new StandardOutput(new Recorder(new FileOutputStream(FileDescriptor.out)), charset);
    }

    /** Returns why the first failed write failed, or null. */
    public String failure() {
        IOException e = recorder.failure;
        return e == null ? null : e.getMessage() != null ? e.getMessage() : "write failed";
    }

    /**
     * Flushes {@code out} and throws when any write to it failed: a sink on standard output calls it after each
     * piece, so that a replay whose output goes nowhere stops there.
     */
    public static void check(PrintWriter out) throws Failure {
        if (out.checkError()) {
            throw new Failure(out instanceof StandardOutput s ? s.failure() : null);
        }
    }

    /** Standard output refused a write: exit 4 (I/O). */
    public static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;

        public Failure(String reason) {
            super("standard output: " + (reason != null ? reason : "write failed"));
        }
    }

    /** Passes bytes on and keeps the first failure. */
    private static final class Recorder extends FilterOutputStream {
        private IOException failure;

        Recorder(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        private void keep(IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}
