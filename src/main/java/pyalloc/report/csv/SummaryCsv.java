package pyalloc.report.csv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportSink;
import pyalloc.stats.Anomaly;
import pyalloc.stats.AnomalyLog;
import pyalloc.stats.Footprint;
import pyalloc.stats.RunResult;
import pyalloc.stats.RunSummary;
import pyalloc.stats.Snapshot;

/**
 * {@code summary.csv}: one row per run, so that the summaries of many traces concatenate into one table
 * ({@code tail -n +2}); and {@code anomalies.csv}: the first anomalies with their lines.
 */
public final class SummaryCsv implements ReportSink {
    public static final String FILE = "summary.csv";
    public static final String ANOMALIES = "anomalies.csv";

    /** The first column of every CSV file of a report, so that the files of many runs concatenate. */
    public static final Column TRACE = Column.of("trace", "the trace file as given (- is standard input)");
    /** The second column of every CSV file of a report. */
    public static final Column PROFILE = Column.of("profile", "allocator configuration replayed: the profile"
            + " (cpython-3.12), what-ifs and policies named (cpython-3.12+pool4096, cpython-3.12+arenas-address-ordered)");

    public static final List<Column> COLUMNS = List.of(
            TRACE,
            PROFILE,
            Column.of("events", "trace events replayed (every row but comments and free of an empty pointer)"),
            Column.of("marks", "mark rows"),
            Column.of("wall_ms", "replay wall time in milliseconds (reading included, reports excluded)"),
            Column.of("events_per_s", "events / wall time"),
            Column.of("snapshot", "what the columns up to heap_bytes describe: exit (the program's exit mark, before"
                    + " interpreter shutdown) when the trace has it, else end"),
            Column.of("allocated_total_bytes", "the allocation clock: bytes requested by MEM/OBJ allocations up to"
                    + " the snapshot (a realloc counts its new size)"),
            Column.of("peak_requested_bytes", "max L up to the snapshot"),
            Column.of("peak_requested_at", "when max L was first reached: trace ns (event index when the trace has no ns)"),
            Column.of("peak_arena_bytes", "max M up to the snapshot (the state then: the peak row of marks.csv)"),
            Column.of("peak_arena_bytes_at", "when max M was first reached: trace ns (event index when the trace has no ns)"),
            Column.of("jw1_mean_frag", "J&W #1: mean of M / L - 1 over the allocation clock"),
            Column.of("jw2_frag_at_peak_requested", "J&W #2: M / L - 1 at peak L"),
            Column.of("jw3_frag_at_peak_arena", "J&W #3: M / L - 1 at peak M"),
            Column.of("jw4_peak_frag", "J&W #4: max M / max L - 1"),
            Column.of("arenas_allocated_total", "arenas ever mapped"),
            Column.of("arenas_reclaimed", "arenas given back to the OS"),
            Column.of("arenas_highwater", "most arenas at once"),
            Column.of("arenas", "arenas at the snapshot"),
            Column.of("requested_bytes", "L at the snapshot"),
            Column.of("arena_bytes", "M at the snapshot"),
            Column.of("util_pct", "100 × L / M at the snapshot"),
            Column.of("frag_ratio", "M / L - 1 at the snapshot"),
            Column.of("ideal_arenas", "compaction bound at the snapshot"),
            Column.of("mesh_pools", "pools a Mesh-style compaction would release at the snapshot"),
            Column.of("pinned_arenas", "pinned arenas at the snapshot"),
            Column.of("raw_blocks", "MEM/OBJ blocks served by raw malloc, live at the snapshot"),
            Column.of("raw_bytes", "their requested bytes"),
            Column.of("raw_domain_blocks", "RAW-domain blocks live at the snapshot (never simulated)"),
            Column.of("raw_domain_bytes", "their bytes"),
            Column.of("heap_bytes", "arena_bytes + raw_bytes + raw_domain_bytes: the Python heap the trace shows"),
            Column.of("anomalies", "anomalies of all kinds"),
            Column.of("anomalies_free_unknown", "free of a pointer that is not live"),
            Column.of("anomalies_realloc_unknown", "realloc of a pointer that is not live"),
            Column.of("anomalies_alloc_live", "alloc of a pointer already live"),
            Column.of("anomalies_arena_free_unknown", "arena_free of an arena never mapped"),
            Column.of("skipped_rows", "malformed rows skipped (--lenient only)"));

    public static final List<Column> ANOMALY_COLUMNS = List.of(
            Column.of("kind", "free_unknown, realloc_unknown, alloc_live or arena_free_unknown"),
            Column.of("line", "trace line"),
            Column.of("ptr", "the pointer, hex (a symbolic token as the trace writes it)"),
            Column.of("description", "what happened and what the replay did about it"));

    private final Path dir;

    public SummaryCsv(ReportContext context) {
        this.dir = context.dir();
    }

    @Override
    public void onEnd(RunResult r) throws IOException {
        write(dir, r);
    }

    /** Returns a run's row of summary.csv, in {@link #COLUMNS} order. */
    public static Object[] row(RunResult r) {
        RunSummary s = r.summary();
        Snapshot at = r.headline();
        Footprint f = at.footprint();
        AnomalyLog a = r.anomalies();
        List<Object> row = new ArrayList<>(List.of(r.trace(), at.profile().id(), r.events(), r.marks(),
                r.nanos() / 1_000_000, Math.round(r.eventsPerSecond()), at.label(), s.allocatedBytes(),
                s.peakRequested(), s.peakRequestedClock(), s.peakArenaBytes(), s.peakArenaBytesClock(),
                s.meanFrag(), s.fragAtPeakRequested(), s.fragAtPeakArenaBytes(), s.peakFrag(),
                at.arenasAllocatedTotal(), at.arenasReclaimed(), at.arenasHighwater(), f.arenas(),
                f.requestedBytes(), f.arenaBytes(), CsvTable.pct(f.util()), f.frag(), at.idealArenas()));
        row.add(at.meshPools() < 0 ? null : at.meshPools());
        row.addAll(List.of(at.pinnedArenas(), f.rawBlocks(), f.rawBytes(), at.rawDomainBlocks(),
                at.rawDomainBytes(), at.heapBytes(), a.total()));
        for (Anomaly k : Anomaly.values()) {
            row.add(a.count(k));
        }
        row.add(r.skippedRows());
        return row.toArray();
    }

    /** Writes summary.csv and anomalies.csv for a run into {@code dir}. */
    public static void write(Path dir, RunResult r) throws IOException {
        AnomalyLog a = r.anomalies();
        try (CsvTable csv = CsvTable.create(dir.resolve(FILE), COLUMNS)) {
            csv.row(row(r));
        }
        try (CsvTable csv = CsvTable.create(dir.resolve(ANOMALIES), ANOMALY_COLUMNS)) {
            for (AnomalyLog.Entry e : a.first()) {
                csv.row(e.kind().id(), e.line(), e.pointer(), e.kind().description());
            }
        }
    }
}
