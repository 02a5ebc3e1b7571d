package pyalloc.report;

import java.nio.file.Path;
import java.util.List;

/**
 * What every output of one comparison folder shares.
 *
 * @param dir            the folder to write into (a temporary one until the comparison is complete); each
 *                       configuration's report is the subfolder named by its id
 * @param title          the name in chart titles: the trace's stem
 * @param configurations the configurations' ids, in the order given (the first is the baseline)
 * @param charts         draw the PNG charts (false: CSV files only)
 */
public record ComparisonContext(Path dir, String title, List<String> configurations, boolean charts) {
}
