package pyalloc.report.findings;

import java.util.Optional;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * What compaction would give back, at the headline snapshot: perfect packing of the live blocks (the compaction
 * bound, {@code excess_arenas}) and, where the report has it, Mesh-style merging of pools whose live blocks do
 * not overlap ({@code mesh_pools}). Applies when packing would release at least {@link #EXCESS} of the arenas,
 * and at least one.
 */
final class Compaction implements FindingRule {
    static final double EXCESS = 0.10;

    @Override
    public String id() {
        return "compaction";
    }

    @Override
    public String title() {
        return "What compaction would give back";
    }

    @Override
    public Optional<Finding> find(ReportFiles report) {
        Row s = report.headline();
        if (s == null || s.lng("arenas") == 0) {
            return Optional.empty();
        }
        long arenas = s.lng("arenas");
        long ideal = s.lng("ideal_arenas");
        long excess = arenas - ideal;
        if (excess < 1 || excess < EXCESS * arenas) {
            return Optional.empty();
        }
        long arenaSize = s.lng("arena_bytes") / arenas;
        StringBuilder text = new StringBuilder(Words.f("%s, the live blocks would fit in %s if they were perfectly"
                + " packed, instead of %d: %s (%s) could go back to the operating system.", Words.atStart(s),
                Words.plural(ideal, "arena", "arenas"), arenas, Words.plural(excess, "arena", "arenas"),
                Words.bytes(excess * arenaSize)));
        String evidence = Words.f("marks.csv, snapshot %s: arenas %d, ideal_arenas %d, excess_arenas %d, arena size %d",
                s.get("snapshot"), arenas, ideal, excess, arenaSize);
        if (!s.get("mesh_pools").isEmpty() && s.lng("mesh_pools") > 0) {
            text.append(Words.f(" Merging pools whose live blocks do not overlap, as the Mesh allocator does by"
                    + " remapping pages, would free %s (%s) without moving any object.",
                    Words.plural(s.lng("mesh_pools"), "pool", "pools"), Words.bytes(s.lng("mesh_bytes"))));
            evidence += Words.f(", mesh_pools %d, mesh_bytes %d", s.lng("mesh_pools"), s.lng("mesh_bytes"));
        }
        return finding(s.get("snapshot"), excess * arenaSize, "bytes", text.toString(), evidence,
                "CPython never moves an object, so no pymalloc setting reaches this bound; it measures what"
                        + " fragmentation costs here. The remedies are in the order the program allocates and"
                        + " frees (see the other findings).");
    }
}
