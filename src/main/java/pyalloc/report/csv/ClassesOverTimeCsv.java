package pyalloc.report.csv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pyalloc.obmalloc.Allocator;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportSink;
import pyalloc.stats.ClassStats;
import pyalloc.stats.RunResult;
import pyalloc.stats.Snapshot;

/**
 * {@code classes-over-time.csv}: every size class's pools and utilization at evenly spaced moments, for the heat
 * map of {@code classes-over-time.png}. Bounded whatever the trace: at most {@link ArenasOverTimeCsv#MOMENTS}
 * moments (plus the end), one row per size class in use at each (64 classes at most).
 */
public final class ClassesOverTimeCsv implements ReportSink {
    public static final String FILE = "classes-over-time.csv";

    public static final List<Column> COLUMNS = List.of(
            Column.of("event", "events replayed at the moment"),
            Column.of("ns", "trace time in ns (empty when the trace has none)"),
            Column.of("class", "size class index (szidx)"),
            Column.of("block_size_bytes", "bytes per block"),
            Column.of("pools", "pools of the class holding at least one block (rows only where there is one)"),
            Column.of("blocks_in_use", "blocks in use"),
            Column.of("avail_bytes", "free and never-carved blocks of those pools × block size"),
            Column.of("util_pct", "util_c = 100 × blocks in use / (pools × blocks per pool)"));

    /** One moment: per size class, its pools in use and blocks in use. */
    private record Moment(long event, long ns, int[] pools, long[] inUse) {
    }

    private final Path dir;
    private final SampleGrid grid = new SampleGrid(ArenasOverTimeCsv.MOMENTS);
    private final List<Moment> moments = new ArrayList<>();

    public ClassesOverTimeCsv(ReportContext context) {
        this.dir = context.dir();
    }

    @Override
    public void onSample(long event, long clock, Allocator model) {
        if (!grid.wants(event)) {
            return;
        }
        int n = model.sizeClasses();
        Moment m = new Moment(event, clock, new int[n], new long[n]);
        for (int c = 0; c < n; c++) {
            m.pools[c] = model.usedPools(c);
            m.inUse[c] = model.liveBlocks(c);
        }
        moments.add(m);
        if (grid.added()) {
            moments.removeIf(k -> !grid.keeps(k.event()));
            grid.thinnedTo(moments.size());
        }
    }

    /** Adds the final state (from the end snapshot) and writes the file. */
    @Override
    public void onEnd(RunResult result) throws IOException {
        Snapshot end = result.end();
        AllocatorProfile p = end.profile();
        if (moments.isEmpty() || moments.get(moments.size() - 1).event() != end.event()) {
            int n = end.classes().size();
            Moment m = new Moment(end.event(), end.ns(), new int[n], new long[n]);
            for (ClassStats c : end.classes()) {
                m.pools[c.sizeClass()] = (int) c.pools();
                m.inUse[c.sizeClass()] = c.blocksInUse();
            }
            moments.add(m);
        }
        boolean hasTime = end.ns() >= 0;  // else the samples' clock was the event index
        try (CsvTable csv = CsvTable.create(dir.resolve(FILE), COLUMNS)) {
            for (Moment m : moments) {
                for (int c = 0; c < m.pools().length; c++) {
                    if (m.pools()[c] == 0) {
                        continue;
                    }
                    long capacity = (long) m.pools()[c] * p.blocksPerPool(c);
                    csv.row(m.event(), hasTime ? m.ns() : null, c, p.blockSize(c), m.pools()[c], m.inUse()[c],
                            (capacity - m.inUse()[c]) * p.blockSize(c),
                            CsvTable.pct((double) m.inUse()[c] / capacity));
                }
            }
        }
    }
}
