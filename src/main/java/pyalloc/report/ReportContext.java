package pyalloc.report;

import java.nio.file.Path;

/**
 * What every output of one report folder shares.
 *
 * @param dir         the folder to write into (a temporary one until the report is complete)
 * @param title       the name in chart titles: the trace's stem and the profile, {@code cache-3.12 (cpython-3.12)}
 * @param trace       the trace as given, for the {@code trace} column of every CSV file
 * @param profile     the configuration replayed, for the {@code profile} column ({@code cpython-3.12+pool4096})
 * @param pinnedBelow arena occupancy under which an arena with live blocks counts as pinned (0..1)
 * @param charts      draw the PNG charts (false: CSV files only)
 * @param snapshot    the snapshot the per-class and per-arena charts show (a mark's label, {@code peak} or
 *                    {@code end}), or null for the default: {@code exit} when the trace has it, else {@code peak}
 */
public record ReportContext(Path dir, String title, String trace, String profile, double pinnedBelow,
        boolean charts, String snapshot) {
}
