package pyalloc.replay;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pyalloc.report.ComparisonContext;
import pyalloc.report.ComparisonSink;
import pyalloc.report.ReportDir;
import pyalloc.report.ReportSink;
import pyalloc.stats.RunResult;

/**
 * A comparison folder: one report folder per configuration, named by its id and made by {@link Outputs#REPORT} as
 * {@code replay} makes it, and the comparison outputs ({@link Outputs#COMPARISON}). The whole is written into a
 * temporary folder and swapped into place at the end, so that it appears complete or not at all.
 */
public final class ComparisonFolder implements Closeable {
    private final ReportDir dir;
    private final ComparisonContext context;
    private final List<ReportFolder> reports = new ArrayList<>();

    /**
     * Opens the temporary folder beside {@code target} and a report folder in it for each configuration;
     * {@code stem} goes into chart titles, {@code trace} into every CSV row.
     */
    public ComparisonFolder(Path target, String stem, String trace, List<String> ids, double pinnedBelow,
            boolean charts) throws IOException {
        this.dir = ReportDir.open(target);
        this.context = new ComparisonContext(dir.dir(), stem, List.copyOf(ids), charts);
        try {
            for (String id : ids) {
                reports.add(new ReportFolder(dir.dir().resolve(id), stem + " (" + id + ")", trace, id, pinnedBelow,
                        charts, null));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Returns the outputs of configuration {@code i}: its report folder. */
    public ReportSink report(int i) {
        return reports.get(i);
    }

    /** Writes the comparison outputs from every configuration's result, then swaps the folder into place. */
    public void onEnd(List<RunResult> results) throws IOException {
        for (ComparisonSink.Factory f : Outputs.COMPARISON) {
            f.create(context).onEnd(results);
        }
        dir.commit();
    }

    /** Removes the temporary folder and everything in it unless the comparison was committed. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ReportFolder r : reports) {
            try {
                r.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        dir.close();
        if (first != null) {
            throw first;
        }
    }
}
