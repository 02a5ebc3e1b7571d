package pyalloc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the real traces in test resources, and small helpers for writing hand-made ones. */
public final class TestTraces {
    private TestTraces() {
    }

    /** Returns {@code cpython/cpython-VERSION/WORKLOAD/trace.csv.gz}. */
    public static Path real(String version, String workload) {
        try {
            return Path.of(TestTraces.class.getResource("/cpython/cpython-" + version + "/" + workload
                    + "/trace.csv.gz").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returns the lines of a trace's CSV form, whatever its format (a binary trace as pyalloc convert writes it). */
    public static java.util.List<String> csvLines(Path trace) {
        try (pyalloc.trace.TraceReader r = pyalloc.trace.TraceFormat.open(pyalloc.trace.TraceSource.of(trace.toString()),
                false, false)) {
            if (r.header().formatVersion() == 1) {
                return new String(gunzip(trace), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            }
            java.io.ByteArrayOutputStream csv = new java.io.ByteArrayOutputStream();
            try (pyalloc.trace.TraceWriter w = pyalloc.trace.TraceFormat.CSV.writer(csv, r, false)) {
                for (pyalloc.trace.EventBatch b; (b = r.next()) != null; ) {
                    w.write(b);
                }
                w.finish();
            }
            return csv.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the bytes of a trace file, gunzipped when it is gzip-compressed. */
    public static byte[] gunzip(Path trace) {
        try {
            byte[] b = Files.readAllBytes(trace);
            if (b.length > 1 && b[0] == 0x1f && (b[1] & 0xff) == 0x8b) {
                try (java.io.InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
                    return in.readAllBytes();
                }
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code lines} (joined with newlines) to {@code dir/name} and returns its path as a string. */
    public static String write(Path dir, String name, String... lines) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, String.join("\n", lines) + "\n");
            return p.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
