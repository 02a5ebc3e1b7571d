package pyalloc.report.text;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import pyalloc.obmalloc.profile.AllocatorProfile;
import pyalloc.report.ReportSink;
import pyalloc.report.StandardOutput;
import pyalloc.stats.ClassStats;
import pyalloc.stats.Footprint;
import pyalloc.stats.RunResult;
import pyalloc.stats.Snapshot;

/**
 * A snapshot laid out byte for byte as CPython's {@code _PyObject_DebugMallocStats} prints it (obmalloc.md 7.2),
 * so that it can be diffed against the interpreter's own output.
 */
public final class DebugMallocStatsText implements ReportSink {
    private final PrintWriter out;

    /** Prints {@code # mark LABEL} and the statistics at every mark, then {@code # end} and the final state. */
    public DebugMallocStatsText(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onMark(Snapshot s) throws IOException {
        out.print("# mark " + Printable.of(s.label()) + "\n" + format(s));
        StandardOutput.check(out);  // output that goes nowhere stops the replay here
    }

    @Override
    public void onEnd(RunResult r) throws IOException {
        out.print("# end\n" + format(r.end()));
        StandardOutput.check(out);
    }

    /** Returns the pymalloc section as the profile's CPython version prints it. */
    public static String format(Snapshot s) {
        AllocatorProfile p = s.profile();
        Footprint f = s.footprint();
        StringBuilder out = new StringBuilder(4096);
        out.append("Small block threshold = ").append(p.smallRequestThreshold()).append(", in ")
                .append(p.sizeClasses()).append(" size classes.\n\n");
        out.append("class   size   num pools   blocks in use  avail blocks\n");
        out.append("-----   ----   ---------   -------------  ------------\n");
        for (ClassStats c : s.classes()) {
            if (c.pools() == 0) {
                continue;  // classes without a used pool are omitted
            }
            out.append(String.format(Locale.ROOT, "%5d %6d %11d %15d %13d\n", c.sizeClass(), c.blockSize(), c.pools(),
                    c.blocksInUse(), c.availBlocks()));
        }
        out.append('\n');
        printone(out, "# arenas allocated total", s.arenasAllocatedTotal());
        printone(out, "# arenas reclaimed", s.arenasReclaimed());
        printone(out, "# arenas highwater mark", s.arenasHighwater());
        printone(out, "# arenas allocated current", s.arenasCurrent());
        printone(out, s.arenasCurrent() + " arenas * " + p.arenaSize() + " bytes/arena", f.arenaBytes());
        out.append('\n');
        printone(out, "# bytes in allocated blocks", f.allocatedBlockBytes());
        printone(out, "# bytes in available blocks", f.availableBlockBytes());
        printone(out, (f.unusedPoolBytes() / p.poolSize()) + " unused pools * " + p.poolSize() + " bytes",
                f.unusedPoolBytes());
        printone(out, "# bytes lost to pool headers", f.poolHeaderBytes());
        printone(out, "# bytes lost to quantization", f.quantizationBytes());
        printone(out, "# bytes lost to arena alignment", f.alignmentBytes());
        printone(out, "Total", f.sumOfParts());
        if (p.hasRadixTree()) {
            // 3.10+ (bpo-37448): the arena map's nodes are raw allocations, listed after the first Total.
            long root = 8L << p.radixInteriorBits();  // MAP_TOP_LENGTH pointers
            long mid = 8L << p.radixInteriorBits();   // MAP_MID_LENGTH pointers
            long bot = 8L << p.radixBottomBits();     // MAP_BOT_LENGTH arena_coverage_t (two ints)
            out.append("\narena map counts\n");
            printone(out, "# arena map mid nodes", s.arenaMapMidNodes());
            printone(out, "# arena map bot nodes", s.arenaMapBotNodes());
            out.append('\n');
            printone(out, "# bytes lost to arena map root", root);
            printone(out, "# bytes lost to arena map mid", mid * s.arenaMapMidNodes());
            printone(out, "# bytes lost to arena map bot", bot * s.arenaMapBotNodes());
            printone(out, "Total", root + mid * s.arenaMapMidNodes() + bot * s.arenaMapBotNodes());
        }
        return out.toString();
    }

    /** {@code printone}: the label padded to column 35, '=', the value right-aligned in 21 with commas. */
    private static void printone(StringBuilder out, String label, long value) {
        out.append(label);
        for (int i = label.length(); i < 35; i++) {
            out.append(' ');
        }
        out.append('=');
        String v = String.format(Locale.ROOT, "%,d", value);
        for (int i = v.length(); i < 21; i++) {
            out.append(' ');
        }
        out.append(v).append('\n');
    }
}
