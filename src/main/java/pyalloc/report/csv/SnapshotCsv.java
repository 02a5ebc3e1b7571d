package pyalloc.report.csv;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportSink;
import pyalloc.stats.ArenaStats;
import pyalloc.stats.ClassStats;
import pyalloc.stats.Footprint;
import pyalloc.stats.RunResult;
import pyalloc.stats.Snapshot;

/**
 * {@code marks.csv}, {@code classes.csv} and {@code arenas.csv}: one full snapshot at every mark, streamed as they
 * are taken so that memory does not grow with the number of marks, then the peak and the end.
 */
public final class SnapshotCsv implements ReportSink, Closeable {
    public static final String MARKS = "marks.csv";
    public static final String CLASSES = "classes.csv";
    public static final String ARENAS = "arenas.csv";

    /** marks.csv: one row per mark, then one labelled {@code peak}, then one labelled {@code end}. */
    public static final List<Column> MARK_COLUMNS = List.of(
            SummaryCsv.TRACE,
            SummaryCsv.PROFILE,
            Column.of("snapshot", "the mark's label (exit: the program's code finished), peak or end"),
            Column.of("line", "trace line of the mark row, or of the peak's event (empty for end)"),
            Column.of("event", "events replayed before the snapshot"),
            Column.of("ns", "trace time in ns (empty when the trace has none)"),
            Column.of("arenas_allocated_total", "# arenas allocated total (CPython)"),
            Column.of("arenas_reclaimed", "# arenas reclaimed (CPython)"),
            Column.of("arenas_highwater", "# arenas highwater mark (CPython)"),
            Column.of("arenas", "# arenas allocated current (CPython)"),
            Column.of("arena_bytes", "M = arenas × arena size"),
            Column.of("requested_bytes", "L: bytes requested by the program, over live small blocks"),
            Column.of("internal_frag_bytes", "Iq = B - L"),
            Column.of("allocated_bytes", "B: # bytes in allocated blocks (CPython)"),
            Column.of("available_bytes", "F: # bytes in available blocks (CPython)"),
            Column.of("unused_pools", "unused pools (CPython), empty plus never carved"),
            Column.of("unused_pool_bytes", "E = unused pools × pool size"),
            Column.of("pool_header_bytes", "Hd: # bytes lost to pool headers (CPython)"),
            Column.of("quantization_bytes", "Q: # bytes lost to quantization (CPython)"),
            Column.of("alignment_bytes", "A: # bytes lost to arena alignment (CPython)"),
            Column.of("touched_bytes", "T: carved pools × pool size"),
            Column.of("used_pools", "pools holding at least one block"),
            Column.of("util_pct", "100 × L / M"),
            Column.of("frag_ratio", "M / L - 1"),
            Column.of("ideal_arenas", "compaction bound: arenas perfect packing would need"),
            Column.of("excess_arenas", "arenas - ideal_arenas: what perfect packing would give back"),
            Column.of("mesh_pools", "pools a Mesh-style compaction would release (SplitMesher); empty when over the work budget (docs/metrics-compaction.md)"),
            Column.of("mesh_bytes", "mesh_pools × pool size"),
            Column.of("pinned_arenas", "arenas with live blocks and occupancy under the pinned threshold"),
            Column.of("pinned_bytes", "pinned_arenas × arena size"),
            Column.of("raw_blocks", "MEM/OBJ requests served by raw malloc (0 bytes or over the threshold), live"),
            Column.of("raw_bytes", "their requested bytes"),
            Column.of("raw_domain_blocks", "RAW-domain blocks live (counted, never simulated)"),
            Column.of("raw_domain_bytes", "their bytes"),
            Column.of("heap_bytes", "arena_bytes + raw_bytes + raw_domain_bytes: the Python heap the trace shows"));

    /** classes.csv: every size class at every snapshot. */
    public static final List<Column> CLASS_COLUMNS = List.of(
            SummaryCsv.TRACE,
            SummaryCsv.PROFILE,
            Column.of("snapshot", "the mark's label, peak or end"),
            Column.of("class", "size class index (szidx)"),
            Column.of("block_size_bytes", "bytes per block"),
            Column.of("pools", "num pools (CPython): pools with at least one block"),
            Column.of("blocks_in_use", "blocks in use (CPython)"),
            Column.of("avail_blocks", "avail blocks (CPython): free and never-carved blocks of those pools"),
            Column.of("bytes_in_use", "blocks_in_use × block size"),
            Column.of("avail_bytes", "avail_blocks × block size"),
            Column.of("util_pct", "util_c = 100 × blocks in use / (pools × blocks per pool); empty without pools"));

    /** arenas.csv: every allocated arena at every snapshot, in arena-vector order. */
    public static final List<Column> ARENA_COLUMNS = List.of(
            SummaryCsv.TRACE,
            SummaryCsv.PROFILE,
            Column.of("snapshot", "the mark's label, peak or end"),
            Column.of("slot", "index in CPython's arenas vector"),
            Column.of("address", "arena base address, hex (from the trace's arena_alloc rows, else synthesized)"),
            Column.of("total_pools", "ntotalpools: pools per arena, one less when the base is not pool aligned"),
            Column.of("used_pools", "pools holding at least one block"),
            Column.of("empty_pools", "carved pools now empty (freepools)"),
            Column.of("never_carved_pools", "pools never used since the arena was mapped"),
            Column.of("live_blocks", "blocks in use"),
            Column.of("live_block_bytes", "their size-class bytes"),
            Column.of("occupancy_pct", "occ_a = 100 × live_block_bytes / arena size"),
            Column.of("pinned", "1 when the arena has live blocks and occupancy under the pinned threshold"));

    private final CsvTable marks;
    private final CsvTable classes;
    private final CsvTable arenas;
    private final double pinnedBelow;
    private final String trace;
    private final String profile;
    private boolean closed;

    public SnapshotCsv(ReportContext context) throws IOException {
        this(context.dir(), context.trace(), context.profile(), context.pinnedBelow());
    }

    /** Creates the three files in {@code dir}; every row names {@code trace} and {@code profile}. */
    public SnapshotCsv(Path dir, String trace, String profile, double pinnedBelow) throws IOException {
        this.trace = trace;
        this.profile = profile;
        this.pinnedBelow = pinnedBelow;
        this.marks = CsvTable.create(dir.resolve(MARKS), MARK_COLUMNS);
        CsvTable c = null;
        CsvTable a = null;
        try {
            c = CsvTable.create(dir.resolve(CLASSES), CLASS_COLUMNS);
            a = CsvTable.create(dir.resolve(ARENAS), ARENA_COLUMNS);
        } catch (IOException | RuntimeException e) {
            closeQuietly(marks, c);
            throw e;
        }
        this.classes = c;
        this.arenas = a;
    }

    private static void closeQuietly(CsvTable... tables) {
        for (CsvTable t : tables) {
            try {
                if (t != null) {
                    t.close();
                }
            } catch (IOException ignored) {
                // the first failure is the one reported
            }
        }
    }

    /** Appends one snapshot to all three files. */
    public void write(Snapshot s) throws IOException {
        Footprint f = s.footprint();
        int arenaSize = s.profile().arenaSize();
        marks.row(trace, profile, s.label(), s.line() > 0 ? s.line() : null, s.event(), s.ns() < 0 ? null : s.ns(),
                s.arenasAllocatedTotal(), s.arenasReclaimed(), s.arenasHighwater(), f.arenas(), f.arenaBytes(),
                f.requestedBytes(), f.internalFragmentationBytes(), f.allocatedBlockBytes(), f.availableBlockBytes(),
                f.unusedPoolBytes() / s.profile().poolSize(), f.unusedPoolBytes(), f.poolHeaderBytes(),
                f.quantizationBytes(), f.alignmentBytes(), f.touchedBytes(), f.usedPools(),
                CsvTable.pct(f.util()), f.frag(), s.idealArenas(), f.arenas() - s.idealArenas(),
                s.meshPools() < 0 ? null : s.meshPools(), s.meshPools() < 0 ? null : s.meshBytes(), s.pinnedArenas(),
                (long) s.pinnedArenas() * arenaSize, f.rawBlocks(), f.rawBytes(), s.rawDomainBlocks(),
                s.rawDomainBytes(), s.heapBytes());
        for (ClassStats c : s.classes()) {
            classes.row(trace, profile, s.label(), c.sizeClass(), c.blockSize(), c.pools(), c.blocksInUse(), c.availBlocks(),
                    c.bytesInUse(), c.availBytes(), CsvTable.pct(c.util()));
        }
        for (ArenaStats a : s.arenas()) {
            arenas.row(trace, profile, s.label(), a.slot(), "0x" + Long.toHexString(a.address()), a.totalPools(), a.usedPools(),
                    a.emptyPools(), a.neverCarved(), a.liveBlocks(), a.liveBlockBytes(),
                    CsvTable.pct(a.occupancy()), a.isPinned(pinnedBelow) ? 1 : 0);
        }
    }

    @Override
    public void onMark(Snapshot s) throws IOException {
        write(s);
    }

    /** Writes the peak and the final snapshot and closes the files: complete before the charts read them. */
    @Override
    public void onEnd(RunResult result) throws IOException {
        if (result.peak() != null) {
            write(result.peak());
        }
        write(result.end());
        close();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException first = null;
        for (CsvTable t : new CsvTable[] {marks, classes, arenas}) {
            try {
                t.close();
            } catch (IOException e) {
                first = first == null ? e : first;  // close the others anyway
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
