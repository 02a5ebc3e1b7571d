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
