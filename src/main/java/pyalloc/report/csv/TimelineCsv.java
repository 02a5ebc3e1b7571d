package pyalloc.report.csv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportSink;
import pyalloc.stats.RunResult;
import pyalloc.stats.Timeline.Field;
import pyalloc.stats.Timeline;

/** {@code timeline.csv}: the sampled history, one row per sample (metrics.md, "Ratios over time"). */
public final class TimelineCsv implements ReportSink {
    public static final String FILE = "timeline.csv";

    /** The columns of timeline.csv, in order. */
    public static final List<Column> COLUMNS = List.of(
            SummaryCsv.TRACE,
            SummaryCsv.PROFILE,
            Column.of("event", "events replayed so far (the clock when the trace has no ns)"),
            Column.of("ns", "trace time in ns (empty when the trace has no ns column)"),
            Column.of("allocated_total_bytes", "the allocation clock: bytes requested by MEM/OBJ allocations so far"),
            Column.of("requested_bytes", "L: bytes the program asked for, over live small blocks"),
            Column.of("internal_frag_bytes", "Iq = B - L: size-class rounding"),
            Column.of("allocated_bytes", "B: bytes in allocated blocks (size-class sizes)"),
            Column.of("available_bytes", "F: free and never-carved blocks in used pools"),
            Column.of("unused_pool_bytes", "E: empty and never-carved pools × pool size"),
            Column.of("overhead_bytes", "Hd + Q + A: pool headers, pool-tail quantization, arena alignment"),
            Column.of("pool_bytes", "bytes in pools in use: used pools × pool size = B + F + Hd + Q"),
            Column.of("arena_bytes", "M: arenas × arena size = L + Iq + F + E + Hd + Q + A"),
            Column.of("touched_bytes", "T: pools ever carved in live arenas × pool size (resident-memory proxy)"),
            Column.of("raw_bytes", "bytes of live MEM/OBJ requests pymalloc passed to malloc (0 bytes or over the threshold)"),
            Column.of("raw_domain_bytes", "bytes of live RAW-domain requests (PyMem_RawMalloc: counted, never simulated)"),
            Column.of("heap_bytes", "arena_bytes + raw_bytes + raw_domain_bytes: the Python heap the trace shows"),
            Column.of("used_pools", "pools holding at least one block"),
            Column.of("arenas", "arenas allocated"),
            Column.of("ideal_arenas", "compaction bound: arenas that perfectly packed live blocks would need"),
            Column.of("pinned_arenas", "arenas with live blocks but occupancy under the pinned threshold"),
            Column.of("util_pct", "util = 100 × L / M"),
            Column.of("frag_ratio", "frag = M / L - 1 (empty when L = 0)"),
            Column.of("peak_frag_ratio", "max M so far / max L so far - 1 (J&W #4, running)"));

    private final ReportContext context;

    public TimelineCsv(ReportContext context) {
        this.context = context;
    }

    @Override
    public void onEnd(RunResult result) throws IOException {
        write(context.dir().resolve(FILE), result.timeline(), context.trace(), context.profile());
    }

    /** Writes {@code t} to {@code file}; every row names {@code trace} and {@code profile}. */
    public static void write(Path file, Timeline t, String trace, String profile) throws IOException {
        try (CsvTable csv = CsvTable.create(file, COLUMNS)) {
            for (int r = 0; r < t.size(); r++) {
                long l = t.get(r, Field.REQUESTED);
                long b = t.get(r, Field.ALLOCATED);
                long m = t.get(r, Field.ARENA_BYTES);
                long ns = t.get(r, Field.NS);
                long peakL = t.get(r, Field.PEAK_REQUESTED);
                long peakM = t.get(r, Field.PEAK_ARENA_BYTES);
                long raw = t.get(r, Field.RAW_BYTES);
                long rawDomain = t.get(r, Field.RAW_DOMAIN_BYTES);
                csv.row(trace, profile, t.get(r, Field.EVENT), ns < 0 ? null : ns, t.get(r, Field.ALLOCATED_TOTAL), l, b - l, b,
                        t.get(r, Field.AVAILABLE), t.get(r, Field.UNUSED_POOLS), t.get(r, Field.OVERHEAD),
                        t.get(r, Field.POOL_BYTES), m, t.get(r, Field.TOUCHED), raw, rawDomain, m + raw + rawDomain,
                        t.get(r, Field.USED_POOLS), t.get(r, Field.ARENAS),
                        t.get(r, Field.IDEAL_ARENAS), t.get(r, Field.PINNED_ARENAS),
                        m == 0 ? Double.NaN : CsvTable.pct((double) l / m),
                        l == 0 ? Double.NaN : (double) m / l - 1,
                        peakL == 0 ? Double.NaN : (double) peakM / peakL - 1);
            }
        }
    }
}
