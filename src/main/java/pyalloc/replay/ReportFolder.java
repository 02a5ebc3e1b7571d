package pyalloc.replay;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pyalloc.obmalloc.Allocator;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportDir;
import pyalloc.report.WriteFailures;
import pyalloc.report.ReportSink;
import pyalloc.stats.RunResult;
import pyalloc.stats.Snapshot;

/**
 * A report folder fed by every registered output ({@link Outputs#REPORT}): written into a temporary folder and
 * swapped into place when the last output has finished, so that it appears complete or not at all.
 */
public final class ReportFolder implements ReportSink, Closeable {
    private final Path target;
    private final ReportDir dir;
    private final List<ReportSink> outputs = new ArrayList<>();
    private final ReportSink all;

    /**
     * Opens the temporary folder beside {@code target} and makes every output; {@code title} goes into the
     * charts' titles, {@code trace} and {@code profile} into every CSV row, {@code charts} false writes the CSV files
     * only, {@code snapshot} names the snapshot the per-class and per-arena charts show (null: the default).
     */
    public ReportFolder(Path target, String title, String trace, String profile, double pinnedBelow, boolean charts,
            String snapshot) throws IOException {
        this.target = target;
        this.dir = ReportDir.open(target);
        try {
            ReportContext context = new ReportContext(dir.dir(), title, trace, profile, pinnedBelow, charts, snapshot);
            for (ReportSink.Factory f : Outputs.REPORT) {
                outputs.add(f.create(context));
            }
        } catch (IOException e) {
            close();
            throw named(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.all = ReportSink.all(outputs);
    }

    /** Returns a failure with the report folder's name where it names the temporary folder. */
    private IOException named(IOException e) {
        return WriteFailures.renamed(e, dir.dir(), target);
    }

    @Override
    public void onMark(Snapshot snapshot) throws IOException {
        try {
            all.onMark(snapshot);
        } catch (IOException e) {
            throw named(e);
        }
    }

    @Override
    public void onSample(long event, long clock, Allocator model) {
        all.onSample(event, clock, model);
    }

    @Override
    public void onProgress(long events) {
        all.onProgress(events);
    }

    /** Finishes every output, then swaps the folder into place. */
    @Override
    public void onEnd(RunResult result) throws IOException {
        try {
            all.onEnd(result);
        } catch (IOException e) {
            throw named(e);
        }
        dir.commit();
    }

    /** Closes the outputs' files and removes the temporary folder unless the report was committed. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ReportSink s : outputs) {
            if (s instanceof Closeable c) {
                try {
                    c.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        dir.close();
        if (first != null) {
            throw first;
        }
    }
}
