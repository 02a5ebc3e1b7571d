package pyalloc.report;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A report folder that appears complete or not at all, and never leaves anything beside it.
 *
 * <p>Files are written into a hidden sibling {@code .NAME.tmp-PID}. {@link #commit()} swaps it in: the previous
 * report is moved aside to {@code .NAME.old-PID}, the new one moved in, the old one deleted (rename(2) cannot
 * replace a non-empty folder, and Java has no RENAME_EXCHANGE). The swap is one step as far as an interrupt is
 * concerned: the shutdown hook that Ctrl-C or SIGTERM runs takes the same lock, so it either comes first (and
 * removes the temporary folder; the commit then fails) or waits for the whole swap (and finds nothing left to
 * remove). The hook renames the temporary folder before deleting it, so that an output still writing into it
 * (the footprint chart's thread) cannot recreate an entry in it; it is then gone whatever that output does.
 *
 * <p>SIGKILL runs no hook: it leaves {@code .NAME.tmp-PID} (or, killed in the instant between the swap's two
 * renames, {@code .NAME.old-PID} in place of the report). The next run beside it removes the leftovers of every
 * process that is no longer running ({@link #removeStale}), and moves such an {@code old} folder back when the
 * report is missing.
 *
 * <p>An existing folder is replaced only when it is a report: one that holds the marker file {@value #MARKER}
 * (every report does), one made of the CSV and PNG files pyalloc writes (a report from before the marker), or
 * an empty one. Anything else ({@code -o ~/Documents}, {@code -o .}) is refused, since the swap deletes it.
 */
public final class ReportDir implements AutoCloseable {
    /** The file that marks a folder as a report pyalloc may replace. */
    public static final String MARKER = ".pyalloc-report";

    private final Path target;
    private final Path tmp;
    private final Path old;
    private final Thread cleanup;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private boolean committed;
    /** Guarded by {@link #lock}: the shutdown hook ran, or the folder was closed uncommitted. */
    private boolean ended;

    private ReportDir(Path target) {
        this.target = target;
        long pid = ProcessHandle.current().pid();
        this.tmp = leftover(target, "tmp", pid);
        this.old = leftover(target, "old", pid);
        this.cleanup = new Thread(this::onInterrupt, "pyalloc-report-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);  // Ctrl-C must not leave a temporary folder behind
    }

    /** Opens a temporary folder beside {@code target}; fails with a clear message when that is impossible. */
    public static ReportDir open(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new IOException(target + " is the root folder, which a report cannot replace");
        }
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IOException(target + " is a file, not a folder");
        }
        try {
            Files.createDirectories(parent);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(existingFileAbove(parent) + " is a file, not a folder");
        }
        removeStale(abs);
        refuseUnlessReport(abs, target);
        // The cleanup hook is registered before the folder exists: a signal in between must not leave it.
        ReportDir dir = new ReportDir(abs);
        try {
            synchronized (dir.lock) {
                if (dir.ended) {
                    throw interruptedException();
                }
                deleteQuietly(dir.tmp);  // a leftover of an earlier process with our pid
                Files.createDirectory(dir.tmp);
                try {
                    Files.writeString(dir.tmp.resolve(MARKER), "A report written by pyalloc: the next run"
                            + " writing here replaces this folder as a whole.\n");
                } catch (IOException e) {
                    throw WriteFailures.naming(abs.resolve(MARKER), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
        return dir;
    }

    /**
     * Returns true while the JVM shuts down (Ctrl-C, SIGTERM): the report folders are removed by then, so what
     * fails after it failed because of it, and is not to be reported.
     */
    public static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private static Path existingFileAbove(Path p) {
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isRegularFile(q)) {
                return q;
            }
        }
        return p;
    }

    /** Returns {@code .NAME.KIND-PID} beside {@code target}. */
    private static Path leftover(Path target, String kind, long pid) {
        return target.resolveSibling("." + target.getFileName() + "." + kind + "-" + pid);
    }

    /** Fails unless {@code abs} is missing, empty, or a report (see the class comment). */
    private static void refuseUnlessReport(Path abs, Path asGiven) throws IOException {
        if (!Files.isDirectory(abs)) {
            return;
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(abs)) {
            s.forEach(entries::add);
        }
        if (entries.isEmpty() || entries.contains(abs.resolve(MARKER))) {
            return;
        }
        boolean summary = false;
        for (Path e : entries) {
            String n = e.getFileName().toString();
            if (!Files.isRegularFile(e, LinkOption.NOFOLLOW_LINKS) || !(n.endsWith(".csv") || n.endsWith(".png"))) {
                throw new IOException(asGiven + " is a folder but no pyalloc report (it holds " + n + "), and a report"
                        + " replaces its folder whole: give -o a new folder, or a report's");
            }
            summary |= n.equals("summary.csv");
        }
        if (!summary) {
            throw new IOException(asGiven + " is a folder but no pyalloc report (it has no summary.csv), and a report"
                    + " replaces its folder whole: give -o a new folder, or a report's");
        }
    }

    private static final Pattern LEFTOVER = Pattern.compile("\\.(.+)\\.(tmp|old|gone)-(\\d+)");

    /**
     * Removes what processes no longer running left beside {@code target} ({@code .NAME.tmp-PID},
     * {@code .NAME.gone-PID}, {@code .NAME.old-PID}), first moving an {@code old} folder back when {@code target}
     * is missing: that process was killed between the two renames of its swap. Best effort, never fails.
     */
    public static void removeStale(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        if (abs.getParent() == null) {
            return;
        }
        String name = abs.getFileName().toString();
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(abs.getParent(), "." + glob(name) + ".*-*")) {
            for (Path p : s) {
                Matcher m = LEFTOVER.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(name) && !running(Long.parseLong(m.group(3)))) {
                    stale.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            return;  // a folder we cannot list has nothing we could remove
        }
        stale.sort(Comparator.comparing((Path p) -> !p.getFileName().toString().contains(".old-")));
        for (Path p : stale) {
            if (p.getFileName().toString().contains(".old-") && !Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    move(p, abs);  // the previous report, put back
                    continue;
                } catch (IOException e) {
                    // deleted below, as any leftover
                }
            }
            deleteQuietly(p);
        }
    }

    /** Returns {@code s} with the characters a glob gives a meaning escaped. */
    private static String glob(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    /** Returns true when process {@code pid} is running (this one is: its leftovers are its own business). */
    private static boolean running(long pid) {
        if (pid == ProcessHandle.current().pid()) {
            return true;
        }
        try {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (SecurityException | UnsupportedOperationException e) {
            return true;  // cannot tell: leave it
        }
    }

    /** Returns the folder to write into until {@link #commit()}. */
    public Path dir() {
        return tmp;
    }

    /** Swaps the finished report in place of the previous one, as one step an interrupt cannot split. */
    public void commit() throws IOException {
        synchronized (lock) {
            if (ended) {
                throw interruptedException();
            }
            refuseUnlessReport(target, target);  // checked again: the replay may have run a long while
            boolean replacing = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            if (replacing) {
                deleteQuietly(old);
                move(target, old);
            }
            try {
                move(tmp, target);
            } catch (IOException e) {
                if (replacing) {
                    move(old, target);
                }
                throw e;
            }
            committed = true;
            if (replacing) {
                discard(old);
            }
        }
    }

    private static InterruptedIOException interruptedException() {
        return new InterruptedIOException("interrupted; the previous report is left as it was");
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** The shutdown hook: after a commit (which it waits for) there is nothing to do; before one, the folder goes. */
    void onInterrupt() {
        synchronized (lock) {
            if (!committed) {
                discard(tmp);
            }
            ended = true;
        }
    }

    /**
     * Deletes a folder that another thread may still be writing into: renamed first, so that no entry can be
     * created in it by its old path, then deleted.
     */
    private void discard(Path folder) {
        Path gone = leftover(target, "gone", ProcessHandle.current().pid());
        try {
            deleteQuietly(gone);
            move(folder, gone);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            gone = folder;  // not renamed: delete in place
        }
        deleteQuietly(gone);
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (!committed && !ended) {
                discard(tmp);
            }
            ended = true;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** Deletes a file or folder tree, best effort (for temporary files); links are removed, never followed. */
    public static void deleteQuietly(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(p)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        } catch (IOException | RuntimeException e) {
            all = List.of(p);
        }
        for (Path x : all) {
            try {
                Files.deleteIfExists(x);
            } catch (IOException e) {
                // best effort: a leftover is removed by a later run (removeStale)
            }
        }
    }
}
