package pyalloc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import pyalloc.cli.ExitCode;
import pyalloc.report.csv.ArenasOverTimeCsv;
import pyalloc.report.csv.ClassesOverTimeCsv;
import pyalloc.obmalloc.ArenaReleaseRule;
import pyalloc.obmalloc.ArenaSelectionRule;
import pyalloc.obmalloc.PoolReuseRule;
import pyalloc.report.chart.CompareChart;
import pyalloc.report.csv.CompareCsv;
import pyalloc.report.csv.Column;
import pyalloc.report.csv.SitesCsv;
import pyalloc.report.csv.SnapshotCsv;
import pyalloc.report.csv.SummaryCsv;
import pyalloc.report.csv.TimelineCsv;
import pyalloc.report.findings.FindingRule;
import pyalloc.report.findings.Findings;

/**
 * README documents what the code writes: every report column, every policy, every exit code, both commands; and
 * README and docs/ point only at files a clone has.
 */
final class ReadmeTest {
    private static final String README = read();

    private static String read() {
        try {
            return Files.readString(Path.of("README.md"));
        } catch (IOException e) {
            throw new IllegalStateException("run from the project root", e);
        }
    }

    @Test
    void everyReportColumnIsDocumented() {
        for (List<Column> table : List.of(SummaryCsv.COLUMNS, SummaryCsv.ANOMALY_COLUMNS, SnapshotCsv.MARK_COLUMNS,
                SnapshotCsv.CLASS_COLUMNS, SnapshotCsv.ARENA_COLUMNS, TimelineCsv.COLUMNS, ArenasOverTimeCsv.COLUMNS,
                ClassesOverTimeCsv.COLUMNS, SitesCsv.SITE_COLUMNS, SitesCsv.ARENA_SITE_COLUMNS,
                SitesCsv.TIMELINE_COLUMNS, Findings.COLUMNS)) {
            for (Column c : table) {
                assertTrue(README.contains("| `" + c.header() + "` | " + c.description().replace("|", "\\|") + " |"),
                        "README lacks column " + c.header());
            }
        }
    }

    @Test
    void everyFindingRuleIsDocumented() {
        for (FindingRule rule : Findings.RULES) {
            assertTrue(README.contains("\n| `" + rule.id() + "` | "), "README lacks finding rule " + rule.id());
        }
    }

    @Test
    void everyPolicyIsDocumentedUnderItsOption() {
        for (ArenaSelectionRule r : ArenaSelectionRule.values()) {
            assertTrue(README.contains("| `--arena-policy` | `" + r.id() + "` | "), "README lacks arena policy " + r.id());
        }
        for (ArenaReleaseRule r : ArenaReleaseRule.values()) {
            assertTrue(README.contains("| `--release-policy` | `" + r.id() + "` | "), "README lacks release policy " + r.id());
        }
        for (PoolReuseRule r : PoolReuseRule.values()) {
            assertTrue(README.contains("| `--pool-policy` | `" + r.id() + "` | "), "README lacks pool policy " + r.id());
        }
        assertTrue(README.contains("- `" + CompareCsv.FILE + "` — one row per configuration, in the order given, with the"
                + " columns of `summary.csv`"), "compare.csv is documented");
        assertTrue(README.contains("- `" + CompareChart.FILE + "` — "), "compare.png is documented");
        assertTrue(CompareCsv.COLUMNS.equals(SummaryCsv.COLUMNS));
    }

    @Test
    void everyExitCodeIsDocumented() {
        for (String line : ExitCode.HELP_LIST) {
            String code = line.substring(0, line.indexOf(':'));
            assertTrue(README.contains("\n| " + (code.equals("*") ? "any" : code) + " | "), "exit code " + code);
        }
    }

    @Test
    void theTwoCommandsAreTheOnesCiRuns() throws IOException {
        assertTrue(README.contains("bin/pyalloc replay traces/cache-3.12.pyat"));
        assertTrue(Files.exists(Path.of("traces/cache-3.12.pyat")));
        assertTrue(README.contains("mvn -B test "));
        assertTrue(Files.readString(Path.of(".ci/run")).contains("\nmvn -B test\n"));
    }

    @Test
    void readmeAndDocsReferOnlyToFilesInTheProject() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            docs.addAll(s.filter(p -> p.toString().endsWith(".md")).sorted().toList());
        }
        Pattern link = Pattern.compile("\\]\\(([^)#\\s]+)[^)]*\\)");
        Pattern docName = Pattern.compile("\\bdocs/[a-z-]+\\.md");
        for (Path doc : docs) {
            String text = Files.readString(doc);
            assertFalse(text.contains("shared/docs") || text.contains("../shared"), doc + " refers outside the project");
            Path base = doc.getParent() == null ? Path.of("") : doc.getParent();
            for (Matcher m = link.matcher(text); m.find(); ) {
                String target = m.group(1);
                assertTrue(target.startsWith("https://") || Files.exists(base.resolve(target)),
                        doc + " links to a missing " + target);
            }
            for (Matcher m = docName.matcher(text); m.find(); ) {
                assertTrue(Files.exists(Path.of(m.group())), doc + " names a missing " + m.group());
            }
        }
    }
}
