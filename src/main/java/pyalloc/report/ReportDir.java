package pyalloc.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A report folder that appears complete or not at all.
 *
 * <p>Files are written into a hidden sibling {@code .NAME.tmp-PID}; {@link #commit()} moves the previous report
 * aside, moves the new one in, then deletes the old one (moving it back if the second move fails, since
 * rename(2) cannot replace a non-empty directory). A run that fails or is interrupted deletes its temporary
 * folder and leaves the previous report untouched.
 */
public final class ReportDir implements AutoCloseable {
    private final Path target;
    private final Path tmp;
    private final Thread cleanup;
    private boolean committed;

    private ReportDir(Path target, Path tmp) {
        this.target = target;
        this.tmp = tmp;
        this.cleanup = new Thread(() -> deleteQuietly(tmp), "pyalloc-report-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);  // Ctrl-C must not leave a temporary folder behind
    }

    /** Opens a temporary folder beside {@code target}; fails with a clear message when that is impossible. */
    public static ReportDir open(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IOException(target + " is a file, not a folder");
        }
        Path parent = abs.getParent();
        try {
            Files.createDirectories(parent);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(existingFileAbove(parent) + " is a file, not a folder");
        }
        Path tmp = parent.resolve("." + abs.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        deleteQuietly(tmp);
        // The cleanup hook is registered before the folder exists: a signal in between must not leave it.
        ReportDir dir = new ReportDir(abs, tmp);
        try {
            Files.createDirectory(tmp);
        } catch (IOException e) {
            dir.close();
            throw e;
        }
        return dir;
    }

    private static Path existingFileAbove(Path p) {
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isRegularFile(q)) {
                return q;
            }
        }
        return p;
    }

    /** Returns the folder to write into until {@link #commit()}. */
    public Path dir() {
        return tmp;
    }

    /** Swaps the finished report in place of the previous one. */
    public void commit() throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + ProcessHandle.current().pid());
            deleteQuietly(old);
            move(target, old);
        }
        try {
            move(tmp, target);
        } catch (IOException e) {
            if (old != null) {
                move(old, target);
            }
            throw e;
        }
        committed = true;
        if (old != null) {
            deleteQuietly(old);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    @Override
    public void close() {
        if (!committed) {
            deleteQuietly(tmp);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** Deletes a file or folder tree, best effort (for temporary files). */
    public static void deleteQuietly(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover temporary folder is harmless and is replaced next run
        }
    }
}
