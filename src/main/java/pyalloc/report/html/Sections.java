package pyalloc.report.html;

import java.util.List;

/**
 * The page's sections in order, one line each: the files that make a section appear (a CSV file, a chart, or
 * either), its title, and the one sentence that says how to read it. A section appears when its files are in the
 * report folder, so outputs added later (a heatmap, the call sites, a comparison) are one line here and a body.
 */
final class Sections {
    private Sections() {
    }

    /** How a section's content is written; returns false when there is nothing to show after all. */
    @FunctionalInterface
    interface Body {
        boolean write(Page page, Section section);
    }

    /**
     * One section.
     *
     * @param id        its anchor
     * @param csv       the CSV file it shows, or null
     * @param chart     the chart it shows (a PNG of the folder), or null
     * @param title     its heading
     * @param howToRead one sentence under the heading
     * @param body      what it shows
     */
    record Section(String id, String csv, String chart, String title, String howToRead, Body body) {
    }

    static final List<Section> ALL = List.of(
            new Section("findings", "findings.csv", null, "Findings",
                    "Each finding is a rule applied to the numbers further down; its evidence names the file and"
                            + " column it was read from, and the rules are listed in pyalloc's README.",
                    Bodies::findings),
            new Section("compare", "compare.csv", "compare.png", "Configurations compared",
                    "One line per configuration: the memory pymalloc's arenas hold (M) over time, the lower the"
                            + " better; the grey dashed line is the live data (L), the same for all. The table ranks"
                            + " them by their peak; each has its own report (and page) in the folder named by it.",
                    Bodies::compare),
            new Section("glance", "summary.csv", null, "At a glance",
                    "The state the headline numbers describe, and the largest values over the run.",
                    Bodies::glance),
            new Section("footprint", "timeline.csv", "footprint.png", "Memory over time",
                    "Read it from the bottom: the dark blue area is the data the program asked for (L), each layer"
                            + " above it is memory pymalloc holds besides, up to the black line, all of pymalloc's"
                            + " arenas (M); green above the line is memory the system allocator serves, outside"
                            + " pymalloc; the lower panel is the share of M that is live data.",
                    Bodies::chartOnly),
            new Section("snapshots", "marks.csv", null, "Snapshots",
                    "One row per mark the program wrote, then pyalloc's own: the further M (held) is above L (live"
                            + " data), the more memory is held beyond what the program uses.",
                    Bodies::snapshots),
            new Section("classes", "classes.csv", "classes.png", "Size classes",
                    "Per size class (the block size requests are rounded up to), blue is memory in live objects and"
                            + " orange is free blocks in that class's pools, which only objects of the same size"
                            + " class can reuse; when one class dwarfs the rest the scale is logarithmic, each grid"
                            + " line ten times the one below.",
                    Bodies::classes),
            new Section("arenas", "arenas.csv", "arenas.png", "Arenas",
                    "One bar per arena (the 1 MiB or 256 KiB pieces pymalloc takes from the operating system), split"
                            + " into its pools: blue pools hold live blocks, yellow ones are empty but stay with the"
                            + " arena, grey ones were never used; the black tick is how full the arena is, and an"
                            + " orange base marks a pinned arena, kept from the operating system by a few live blocks.",
                    Bodies::arenas),
            new Section("arenas-over-time", "arenas-over-time.csv", "arenas-over-time.png", "Arenas over time",
                    "One row per arena, time running to the right: the darker the blue, the fuller the arena; orange"
                            + " is an arena pinned by a few live blocks, so a long orange band is memory a few"
                            + " objects held for the rest of the run.",
                    Bodies::chartOnly),
            new Section("classes-over-time", "classes-over-time.csv", "classes-over-time.png",
                    "Size classes over time",
                    "One row per size class, time running to the right: the lighter the colour, the more of that"
                            + " class's pools is free blocks that objects of other sizes cannot use.",
                    Bodies::chartOnly),
            new Section("sites", "sites.csv", "sites.png", "Where the live blocks were allocated",
                    "The lines of the program that allocated the blocks still live: first (in orange) those whose"
                            + " blocks keep pinned arenas, then the others by bytes; the chart follows the leading"
                            + " lines' live bytes over time.",
                    Bodies::sites),
            new Section("anomalies", "anomalies.csv", null, "Anomalies",
                    "Events the replay could not match (a free of a pointer that is not live, ...): counted and"
                            + " replayed as described; many of them mean the trace is incomplete.",
                    Bodies::anomalies));
}
