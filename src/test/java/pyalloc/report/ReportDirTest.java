package pyalloc.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, item 7: a report folder is swapped in as one step that an interrupt (the shutdown hook) either
 * precedes or follows; an interrupt removes the temporary folder even while an output still writes into it;
 * and what killed processes left beside a report is removed by the next run.
 */
final class ReportDirTest {
    @TempDir
    Path dir;

    private List<String> beside() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).sorted().toList();
        }
    }

    private Path previousReport() throws IOException {
        Path rep = dir.resolve("rep");
        Files.createDirectories(rep);
        Files.writeString(rep.resolve("summary.csv"), "previous\n");
        return rep;
    }

    /**
     * The race BadInputTest.anInterruptedRunLeavesThePreviousReportAndNoTemporaryFolder once lost: the hook walked
     * the folder and deleted what it found while an output (the footprint chart's thread, the CSV files being
     * created) added a file, so the folder was not empty when its turn came, and stayed.
     */
    @RepeatedTest(5)
    void anInterruptWhileAnOutputStillWritesLeavesNothing() throws Exception {
        Path rep = previousReport();
        ReportDir report = ReportDir.open(rep);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                try {
                    Files.writeString(report.dir().resolve("f" + i + ".png"), "x".repeat(1000));
                    written.incrementAndGet();
                } catch (IOException e) {
                    // the folder is gone: as the interrupted run's outputs fail
                }
            }
        });
        writer.start();
        while (written.get() < 200) {
            Thread.onSpinWait();
        }
        report.onInterrupt();
        Thread.sleep(20);
        stop.set(true);
        writer.join();
        report.close();
        assertEquals(List.of(), beside(), "nothing beside the report");
        assertEquals("previous\n", Files.readString(rep.resolve("summary.csv")));
        assertThrows(InterruptedIOException.class, report::commit, "no commit after an interrupt");
    }

    @Test
    void anInterruptAfterTheCommitFindsNothingToDo() throws IOException {
        Path rep = previousReport();
        ReportDir report = ReportDir.open(rep);
        Files.writeString(report.dir().resolve("summary.csv"), "new\n");
        report.commit();
        report.onInterrupt();
        report.close();
        assertEquals("new\n", Files.readString(rep.resolve("summary.csv")));
        assertEquals(List.of(), beside());
        assertTrue(Files.exists(rep.resolve(ReportDir.MARKER)), "a report says it is one");
    }

    /** Returns the pid of a process that has ended. */
    static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void whatKilledProcessesLeftIsRemovedAndAReportCaughtMidSwapPutBack() throws Exception {
        long dead = deadPid();
        Path rep = dir.resolve("rep");
        // Killed between the swap's two renames: the previous report is aside, none in place.
        Path old = dir.resolve(".rep.old-" + dead);
        Files.createDirectories(old);
        Files.writeString(old.resolve("summary.csv"), "previous\n");
        Files.createDirectories(dir.resolve(".rep.tmp-" + dead).resolve("sub"));
        Files.writeString(dir.resolve(".rep.tmp-" + dead).resolve("sub/timeline.csv"), "partial");
        Files.createDirectories(dir.resolve(".rep.gone-" + dead));
        // A process still running keeps its folder; other reports' leftovers are theirs to clean.
        Process alive = new ProcessBuilder("sleep", "30").start();
        try {
            Files.createDirectories(dir.resolve(".rep.tmp-" + alive.pid()));
            Files.createDirectories(dir.resolve(".other.tmp-" + dead));
            ReportDir.removeStale(rep);
            assertEquals("previous\n", Files.readString(rep.resolve("summary.csv")), "put back");
            assertEquals(List.of(".other.tmp-" + dead, ".rep.tmp-" + alive.pid()), beside());
        } finally {
            alive.destroy();
        }
    }

    @Test
    void aFolderThatIsNoReportIsNeverReplaced() throws IOException {
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine.resolve("photos"));
        Files.writeString(mine.resolve("notes.txt"), "mine");
        IOException e = assertThrows(IOException.class, () -> ReportDir.open(mine));
        assertEquals(mine + " is a folder but no pyalloc report (it holds notes.txt), and a report replaces its"
                + " folder whole: give -o a new folder, or a report's", e.getMessage().replace("photos", "notes.txt"));
        Path pictures = dir.resolve("pictures");
        Files.createDirectories(pictures);
        Files.writeString(pictures.resolve("cat.png"), "png");
        assertThrows(IOException.class, () -> ReportDir.open(pictures), "PNG files alone are no report");
        assertThrows(IOException.class, () -> ReportDir.open(Path.of("/")));
        assertTrue(Files.exists(mine.resolve("notes.txt")) && Files.exists(pictures.resolve("cat.png")));
        assertEquals(List.of(), beside());
        // An empty folder, and a report from before the marker, are replaced.
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        ReportDir.open(empty).close();
        assertFalse(Files.exists(dir.resolve(".empty.tmp-" + ProcessHandle.current().pid())));
    }
}
