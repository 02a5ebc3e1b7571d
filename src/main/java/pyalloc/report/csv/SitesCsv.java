package pyalloc.report.csv;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportSink;
import pyalloc.stats.RunResult;
import pyalloc.stats.SiteAttribution;
import pyalloc.stats.SiteFrame;
import pyalloc.stats.SiteStats;
import pyalloc.stats.SiteTimeline;
import pyalloc.stats.Snapshot;

/**
 * {@code sites.csv}, {@code arena_sites.csv} and {@code site_timeline.csv}: which call sites own the live blocks
 * at every snapshot, the top sites of every arena, and the leading sites' live bytes over time. Written only for a
 * trace with call sites (README, "Call sites"); a trace without them leaves no such file.
 */
public final class SitesCsv implements ReportSink, Closeable {
    public static final String SITES = "sites.csv";
    public static final String ARENA_SITES = "arena_sites.csv";
    public static final String TIMELINE = "site_timeline.csv";

    /** sites.csv: every site with live small blocks at every snapshot, most size-class bytes first. */
    public static final List<Column> SITE_COLUMNS = List.of(
            Column.of("snapshot", "the mark's label, or end"),
            Column.of("site", "the site's id in the trace (0: no Python frame was running)"),
            Column.of("file", "the innermost frame's file, as the interpreter had it"),
            Column.of("line", "its line (0: unknown)"),
            Column.of("function", "its function (`<module>` for a module's top level)"),
            Column.of("callers", "the frames that called it, innermost first, as far as recorded (file:line in function < ...)"),
            Column.of("blocks", "live small blocks allocated there"),
            Column.of("requested_bytes", "the bytes they asked for"),
            Column.of("block_bytes", "their size-class bytes"),
            Column.of("arenas", "arenas holding at least one of them"),
            Column.of("pinned_arenas", "pinned arenas holding at least one of them"),
            Column.of("blocks_in_pinned_arenas", "how many of them sit in pinned arenas"),
            Column.of("sole_arenas", "arenas whose live blocks all come from this site: freeing them would give those arenas back"));

    /** arena_sites.csv: the top sites of every arena at every snapshot. */
    public static final List<Column> ARENA_SITE_COLUMNS = List.of(
            Column.of("snapshot", "the mark's label, or end"),
            Column.of("slot", "index in CPython's arenas vector (as in arenas.csv)"),
            Column.of("address", "arena base address, hex"),
            Column.of("pinned", "1 when the arena is pinned"),
            Column.of("live_blocks", "blocks in use in the arena"),
            Column.of("sites", "sites its live blocks come from"),
            Column.of("rank", "1 for the site with the most size-class bytes in the arena, then 2, 3"),
            Column.of("site", "the site's id (its file, line and callers are in sites.csv)"),
            Column.of("where", "file:line in function of the site's innermost frame"),
            Column.of("blocks", "the site's live blocks in the arena"),
            Column.of("block_bytes", "their size-class bytes"));

    /** site_timeline.csv: the leading sites at every timeline sample. */
    public static final List<Column> TIMELINE_COLUMNS = List.of(
            Column.of("event", "events replayed so far (as in timeline.csv)"),
            Column.of("ns", "trace time in ns (empty when the trace has none)"),
            Column.of("site", "the site's id"),
            Column.of("where", "file:line in function of the site's innermost frame"),
            Column.of("blocks", "its live small blocks"),
            Column.of("block_bytes", "their size-class bytes"),
            Column.of("requested_bytes", "the bytes they asked for"));

    private final Path dir;
    private CsvTable sites;
    private CsvTable arenaSites;
    private boolean closed;

    public SitesCsv(ReportContext context) {
        this(context.dir());
    }

    public SitesCsv(Path dir) {
        this.dir = dir;
    }

    /** Appends one snapshot's attribution; does nothing for a snapshot without sites. */
    public void write(Snapshot s) throws IOException {
        SiteAttribution a = s.sites();
        if (a == null) {
            return;
        }
        if (sites == null) {
            sites = CsvTable.create(dir.resolve(SITES), SITE_COLUMNS);
            arenaSites = CsvTable.create(dir.resolve(ARENA_SITES), ARENA_SITE_COLUMNS);
        }
        for (SiteStats site : a.sites()) {
            SiteFrame f = site.frame();
            sites.row(s.label(), site.site(), f == null ? "" : f.file(), f == null ? null : f.line(),
                    f == null ? site.shortName() : f.function(), SiteFrame.callers(site.stack()), site.blocks(),
                    site.requestedBytes(), site.blockBytes(), site.arenas(), site.pinnedArenas(),
                    site.blocksInPinnedArenas(), site.soleArenas());
        }
        for (SiteAttribution.ArenaSites arena : a.arenas()) {
            int rank = 0;
            for (SiteAttribution.Share share : arena.top()) {
                arenaSites.row(s.label(), arena.slot(), "0x" + Long.toHexString(arena.address()),
                        arena.pinned() ? 1 : 0, arena.liveBlocks(), arena.sites(), ++rank, share.site(), share.name(),
                        share.blocks(), share.blockBytes());
            }
        }
    }

    /** Writes site_timeline.csv from a finished run's site timeline. */
    public static void writeTimeline(Path file, SiteTimeline t) throws IOException {
        int[] followed = t.followed();
        String[] names = new String[followed.length];
        for (int i = 0; i < followed.length; i++) {
            List<SiteFrame> stack = t.stack(i);
            names[i] = stack.isEmpty() ? (followed[i] == 0 ? "(no Python frame)" : "(site " + followed[i]
                    + ": not defined)") : stack.get(0).shortName();
        }
        try (CsvTable csv = CsvTable.create(file, TIMELINE_COLUMNS)) {
            for (SiteTimeline.Sample s : t.samples()) {
                for (int i = 0; i < s.blockBytes().length; i++) {
                    csv.row(s.event(), s.ns() < 0 ? null : s.ns(), followed[i], names[i], s.blocks()[i],
                            s.blockBytes()[i], s.requestedBytes()[i]);
                }
            }
        }
    }

    @Override
    public void onMark(Snapshot s) throws IOException {
        write(s);
    }

    /** Writes the final snapshot and the site timeline and closes the files: complete before the charts. */
    @Override
    public void onEnd(RunResult result) throws IOException {
        write(result.end());
        close();
        if (result.siteTimeline() != null) {
            writeTimeline(dir.resolve(TIMELINE), result.siteTimeline());
        }
    }

    @Override
    public void close() throws IOException {
        if (closed || sites == null) {
            closed = true;
            return;
        }
        closed = true;
        try {
            sites.close();
        } finally {
            arenaSites.close();
        }
    }
}
