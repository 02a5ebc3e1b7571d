package pyalloc.report.findings;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;

/**
 * Pinned arenas: at the headline snapshot, arenas that hold live blocks but are mostly empty (occupancy under
 * {@code --pinned-below}, 25 % by default). Applies when there is at least one. Names the arenas, fullest first
 * up to {@link #LISTED}, and, when the trace has call sites (sites.csv), the lines that allocated their blocks.
 */
public final class PinnedArenas implements FindingRule {
    static final int LISTED = 5;
    /** Call sites named in the finding, most blocks in pinned arenas first. */
    static final int SITES = 3;
    static final String SITES_CSV = "sites.csv";

    @Override
    public String id() {
        return "pinned-arenas";
    }

    @Override
    public String title() {
        return "Arenas pinned by a few live blocks";
    }

    @Override
    public Optional<Finding> find(ReportFiles report) {
        Row s = report.headline();
        if (s == null || s.lng("pinned_arenas") == 0) {
            return Optional.empty();
        }
        List<Row> pinned = new ArrayList<>();
        for (Row a : report.snapshot(ReportFiles.ARENAS, s.get("snapshot"))) {
            if (a.get("pinned").equals("1")) {
                pinned.add(a);
            }
        }
        pinned.sort((a, b) -> Double.compare(b.num("occupancy_pct"), a.num("occupancy_pct")));
        long n = s.lng("pinned_arenas");
        long blocks = 0;
        long liveBytes = 0;
        for (Row a : pinned) {
            blocks += a.lng("live_blocks");
            liveBytes += a.lng("live_block_bytes");
        }
        long bytes = s.lng("pinned_bytes");
        String most = pinned.isEmpty() ? "" : Words.f(" at most %s full", Words.pct(pinned.get(0).num("occupancy_pct") / 100));
        String text = Words.f("%s, %s (%s) %s pinned: %s (%s) %s %s from the operating system. Each such arena"
                + " is%s, but pymalloc returns an arena only when every block in it is free.", Words.atStart(s),
                Words.plural(n, "arena", "arenas"), Words.bytes(bytes), n == 1 ? "is" : "are",
                Words.plural(blocks, "live block", "live blocks"), Words.bytes(liveBytes), blocks == 1 ? "keeps" : "keep",
                n == 1 ? "it" : "them", most);
        StringBuilder evidence = new StringBuilder(Words.f("marks.csv, snapshot %s: pinned_arenas %d, pinned_bytes %d;"
                + " arenas.csv:", s.get("snapshot"), n, bytes));
        for (int i = 0; i < Math.min(LISTED, pinned.size()); i++) {
            Row a = pinned.get(i);
            evidence.append(Words.f(" slot %s occupancy %s%%, live_blocks %s%s", a.get("slot"),
                    a.get("occupancy_pct"), a.get("live_blocks"), i + 1 < Math.min(LISTED, pinned.size()) ? ";" : ""));
        }
        if (pinned.size() > LISTED) {
            evidence.append(Words.f("; and %d more", pinned.size() - LISTED));
        }
        String sites = sites(report, s, evidence);
        return finding(s.get("snapshot"), bytes, "bytes", text + sites, evidence.toString(),
                sites.isEmpty()
                        ? "Find what those few blocks are: objects made during the churn that live on (a memo, a"
                                + " logger's record, an interned string); recording with call sites (pyalloc record"
                                + " does by default) names the lines. Creating long-lived objects early, before the"
                                + " temporary ones, keeps them together in the first arenas."
                        : "Make those objects earlier (before the temporary ones), fewer, or not at all, or free"
                                + " them with the rest: objects made between short-lived ones keep their arenas.");
    }

    /**
     * With call sites (sites.csv): the lines whose blocks sit in the pinned arenas, most first, up to {@link
     * #SITES}, as a sentence; the evidence gets their rows. Empty without sites.
     */
    private static String sites(ReportFiles report, Row s, StringBuilder evidence) {
        List<Row> rows = new ArrayList<>();
        for (Row r : report.snapshot(SITES_CSV, s.get("snapshot"))) {
            if (r.lng("blocks_in_pinned_arenas") > 0) {
                rows.add(r);
            }
        }
        if (rows.isEmpty()) {
            return "";
        }
        rows.sort((a, b) -> Long.compare(b.lng("blocks_in_pinned_arenas"), a.lng("blocks_in_pinned_arenas")));
        StringBuilder text = new StringBuilder(" Most of those blocks were allocated at ");
        evidence.append("; sites.csv:");
        for (int i = 0; i < Math.min(SITES, rows.size()); i++) {
            Row r = rows.get(i);
            String sep = i == 0 ? "" : i + 1 == Math.min(SITES, rows.size()) ? " and " : ", ";
            text.append(sep).append(where(r)).append(" (").append(Words.plural(r.lng("blocks_in_pinned_arenas"),
                    "block", "blocks")).append(')');
            evidence.append(Words.f("%s site %s blocks_in_pinned_arenas %d, sole_arenas %d", i == 0 ? "" : ";",
                    r.get("site"), r.lng("blocks_in_pinned_arenas"), r.lng("sole_arenas")));
        }
        text.append('.');
        for (Row r : rows) {
            if (r.lng("sole_arenas") > 0) {
                text.append(Words.f(" Every live block of %s comes from %s: freeing them would give %s back.",
                        r.lng("sole_arenas") == 1 ? "one arena" : Words.count(r.lng("sole_arenas")) + " arenas",
                        where(r), r.lng("sole_arenas") == 1 ? "it" : "them"));
                break;
            }
        }
        return text.toString();
    }

    /**
     * "service.py:26 in handle" (the file's name without its folders; sites.csv has the full path), or what the
     * interpreter allocates while no Python code runs.
     */
    static String where(Row site) {
        String file = site.get("file");
        if (file.isEmpty()) {
            return "the interpreter itself (no Python frame)";
        }
        return shortFile(file) + ":" + site.get("line") + " in " + site.get("function");
    }

    /** A path's last part ({@code /usr/lib/python3.9/ast.py} is {@code ast.py}); a name like {@code <frozen x>} as it is. */
    public static String shortFile(String file) {
        if (file.startsWith("<")) {
            return file;
        }
        int slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
        return file.substring(slash + 1);
    }
}
