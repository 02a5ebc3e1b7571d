package pyalloc.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import pyalloc.trace.EventBatch;
import pyalloc.trace.TraceFormat;
import pyalloc.trace.TraceReader;
import pyalloc.trace.TraceSource;
import pyalloc.trace.TraceWriter;

/** Reads recorded traces in tests. */
final class TraceFiles {
    private TraceFiles() {
    }

    /** Returns the trace's lines, gunzipped when the name ends in .gz; a binary trace in its CSV form. */
    static List<String> lines(Path trace) throws IOException {
        if (trace.toString().endsWith(".pyat")) {
            ByteArrayOutputStream csv = new ByteArrayOutputStream();
            try (TraceReader r = TraceFormat.open(TraceSource.of(trace.toString()), false, false);
                    TraceWriter w = TraceFormat.CSV.writer(csv, r, false)) {
                for (EventBatch b; (b = r.next()) != null; ) {
                    w.write(b);
                }
                w.finish();
            }
            return csv.toString(StandardCharsets.UTF_8).lines().toList();
        }
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
