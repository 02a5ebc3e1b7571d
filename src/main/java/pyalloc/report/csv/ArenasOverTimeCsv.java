package pyalloc.report.csv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pyalloc.obmalloc.Allocator;
import pyalloc.obmalloc.ArenaObject;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportSink;
import pyalloc.stats.ArenaStats;
import pyalloc.stats.RunResult;
import pyalloc.stats.Snapshot;

/**
 * {@code arenas-over-time.csv}: every arena slot's occupancy at evenly spaced moments, for the heat map of
 * {@code arenas-over-time.png}. Bounded whatever the trace: at most {@link #MOMENTS} moments (plus the end),
 * and at most {@link #ROWS} rows of slots per moment, adjacent slots grouped by twos, fours, ... when the
 * arenas vector grows past that.
 */
public final class ArenasOverTimeCsv implements ReportSink {
    public static final String FILE = "arenas-over-time.csv";
    /** Most moments kept (between half of it and all of it remain, plus the end). */
    public static final int MOMENTS = 300;
    /** Most rows of slots per moment. */
    public static final int ROWS = 128;

    public static final List<Column> COLUMNS = List.of(
            Column.of("event", "events replayed at the moment"),
            Column.of("ns", "trace time in ns (empty when the trace has none)"),
            Column.of("slot", "the row's first arena slot (index in CPython's arenas vector)"),
            Column.of("slots", "slots in the row: 1, or a power of two once there are more than 128 slots"),
            Column.of("arenas", "arenas allocated in those slots (rows only where there is one)"),
            Column.of("live_block_bytes", "bytes of their live blocks (size-class sizes)"),
            Column.of("occupancy_pct", "100 × live_block_bytes / (arenas × arena size)"),
            Column.of("pinned_arenas", "those with live blocks and occupancy under the pinned threshold"));

    /** One moment: per row of slots, the arenas, their live block bytes and the pinned ones. */
    private record Moment(long event, long ns, long[] live, int[] arenas, int[] pinned) {
    }

    private final Path dir;
    private final double pinnedBelow;
    private final SampleGrid grid = new SampleGrid(MOMENTS);
    private final List<Moment> moments = new ArrayList<>();
    /** Slots per row, as a shift: rows hold 1 &lt;&lt; groupShift slots. */
    private int groupShift;
    private int arenaSize;

    public ArenasOverTimeCsv(ReportContext context) {
        this.dir = context.dir();
        this.pinnedBelow = context.pinnedBelow();
    }

    @Override
    public void onSample(long event, long clock, Allocator model) {
        if (!grid.wants(event)) {
            return;
        }
        arenaSize = model.profile().arenaSize();
        int top = -1;
        for (int i = model.maxArenas() - 1; i >= 0 && top < 0; i--) {
            if (model.arena(i).isAllocated()) {
                top = i;
            }
        }
        while (top >> groupShift >= ROWS) {
            regroup();
        }
        int rows = (top >> groupShift) + 1;
        Moment m = new Moment(event, clock, new long[rows], new int[rows], new int[rows]);
        for (int i = 0; i <= top; i++) {
            ArenaObject a = model.arena(i);
            if (a.isAllocated()) {
                int r = i >> groupShift;
                m.arenas[r]++;
                m.live[r] += a.liveBlockBytes();
                if (ArenaStats.isPinned(a.liveBlocks(), a.liveBlockBytes(), arenaSize, pinnedBelow)) {
                    m.pinned[r]++;
                }
            }
        }
        add(m);
    }

    private void add(Moment m) {
        moments.add(m);
        if (grid.added()) {
            moments.removeIf(k -> !grid.keeps(k.event()));
            grid.thinnedTo(moments.size());
        }
    }

    /** Doubles the slots per row, merging adjacent rows of every moment kept so far. */
    private void regroup() {
        groupShift++;
        for (int k = 0; k < moments.size(); k++) {
            Moment m = moments.get(k);
            int rows = (m.live().length + 1) / 2;
            Moment merged = new Moment(m.event(), m.ns(), new long[rows], new int[rows], new int[rows]);
            for (int r = 0; r < m.live().length; r++) {
                merged.live[r / 2] += m.live()[r];
                merged.arenas[r / 2] += m.arenas()[r];
                merged.pinned[r / 2] += m.pinned()[r];
            }
            moments.set(k, merged);
        }
    }

    /** Adds the final state (from the end snapshot) and writes the file. */
    @Override
    public void onEnd(RunResult result) throws IOException {
        Snapshot end = result.end();
        arenaSize = end.profile().arenaSize();
        if (moments.isEmpty() || moments.get(moments.size() - 1).event() != end.event()) {
            int top = end.arenas().stream().mapToInt(ArenaStats::slot).max().orElse(-1);
            while (top >> groupShift >= ROWS) {
                regroup();
            }
            int rows = (top >> groupShift) + 1;
            Moment m = new Moment(end.event(), end.ns(), new long[rows], new int[rows], new int[rows]);
            for (ArenaStats a : end.arenas()) {
                int r = a.slot() >> groupShift;
                m.arenas[r]++;
                m.live[r] += a.liveBlockBytes();
                if (a.isPinned(pinnedBelow)) {
                    m.pinned[r]++;
                }
            }
            moments.add(m);  // the end stays, whatever the grid
        }
        boolean hasTime = end.ns() >= 0;  // else the samples' clock was the event index
        try (CsvTable csv = CsvTable.create(dir.resolve(FILE), COLUMNS)) {
            for (Moment m : moments) {
                for (int r = 0; r < m.live().length; r++) {
                    if (m.arenas()[r] == 0) {
                        continue;
                    }
                    csv.row(m.event(), hasTime ? m.ns() : null, r << groupShift, 1 << groupShift, m.arenas()[r],
                            m.live()[r], CsvTable.pct((double) m.live()[r] / ((long) m.arenas()[r] * arenaSize)),
                            m.pinned()[r]);
                }
            }
        }
    }
}
