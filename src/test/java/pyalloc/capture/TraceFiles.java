package pyalloc.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads recorded traces in tests. */
final class TraceFiles {
    private TraceFiles() {
    }

    /** Returns the trace's lines, gunzipped when the name ends in .gz. */
    static List<String> lines(Path trace) throws IOException {
        try (InputStream in = trace.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(trace))
                : Files.newInputStream(trace)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** Returns the labels of the trace's mark rows, in order. */
    static List<String> marks(Path trace) throws IOException {
        return lines(trace).stream().filter(l -> l.startsWith("mark,")).map(l -> l.substring(l.lastIndexOf(',') + 1))
                .toList();
    }
}
