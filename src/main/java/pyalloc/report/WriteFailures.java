package pyalloc.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Failures of a report's files, named: a write that fails says which file it was writing
 * ({@code reports/app/timeline.csv: No space left on device}), where the stream alone would say only why.
 */
public final class WriteFailures {
    private WriteFailures() {
    }

    /** Returns {@code e} as a failure of {@code file}, unless it already names a file. */
    public static IOException naming(Path file, IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return e;
        }
        FileSystemException named = new FileSystemException(file.toString(), null,
                e.getMessage() != null ? e.getMessage() : "write failed");
        named.initCause(e);
        return named;
    }

    /** As {@link #naming(Path, IOException)}, for a library that wraps I/O failures unchecked. */
    public static IOException naming(Path file, UncheckedIOException e) {
        return naming(file, e.getCause());
    }

    /**
     * Returns {@code e} with the temporary folder {@code tmp} in its file name replaced by the report folder
     * {@code target}: the user knows the report by that name.
     */
    public static IOException renamed(IOException e, Path tmp, Path target) {
        if (e instanceof FileSystemException f && f.getFile() != null && Path.of(f.getFile()).startsWith(tmp)) {
            FileSystemException named = new FileSystemException(
                    target.resolve(tmp.relativize(Path.of(f.getFile()))).toString(), null, f.getReason());
            named.initCause(e);
            return named;
        }
        return e;
    }
}
