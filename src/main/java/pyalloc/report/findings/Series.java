package pyalloc.report.findings;

import java.util.ArrayList;
import java.util.List;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * The history up to a snapshot as the rules read it: timeline.csv's samples up to the snapshot's event, then
 * the snapshot itself (marks.csv has the same columns), as arrays of L and M.
 */
final class Series {
    final List<Row> rows;
    final long[] requested;
    final long[] arenaBytes;

    private Series(List<Row> rows) {
        this.rows = rows;
        this.requested = new long[rows.size()];
        this.arenaBytes = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            requested[i] = rows.get(i).lng("requested_bytes");
            arenaBytes[i] = rows.get(i).lng("arena_bytes");
        }
    }

    /** Returns the history up to {@code s}, which ends it. */
    static Series upTo(ReportFiles report, Row s) {
        List<Row> rows = new ArrayList<>(report.timelineUpTo(s));
        if (rows.isEmpty() || rows.get(rows.size() - 1).lng("event") < s.lng("event")) {
            rows.add(s);
        }
        return new Series(rows);
    }

    int size() {
        return rows.size();
    }

    Row row(int i) {
        return rows.get(i);
    }

    /** Returns the index of the largest L (the first, when it repeats). */
    int peakRequested() {
        int p = 0;
        for (int i = 1; i < requested.length; i++) {
            if (requested[i] > requested[p]) {
                p = i;
            }
        }
        return p;
    }
}
