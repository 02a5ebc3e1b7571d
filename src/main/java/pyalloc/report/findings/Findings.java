package pyalloc.report.findings;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import pyalloc.report.ComparisonContext;
import pyalloc.report.ComparisonSink;
import pyalloc.report.ReportContext;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportSink;
import pyalloc.report.csv.Column;
import pyalloc.report.csv.CsvTable;
import pyalloc.stats.RunResult;

/**
 * {@code findings.csv}: the rules that apply to a report, in the order below, drawn from the report's CSV files
 * alone (so that {@code pyalloc chart} redraws them too). Registered after the CSV outputs, in a report folder and
 * in a comparison folder (where the rules that read compare.csv apply).
 */
public final class Findings implements ReportSink {
    public static final String FILE = "findings.csv";

    /** The rules, one line each, in the order a reader meets them. */
    public static final List<FindingRule> RULES = List.of(
            new HeldVsNeeded(),
            new LeakLikeGrowth(),
            new FreedNotReturned(),
            new PinnedArenas(),
            new RefillReusesSpace(),
            new Compaction(),
            new SizeClassRounding(),
            new OutsidePymalloc(),
            new BestConfiguration());

    public static final List<Column> COLUMNS = List.of(
            Column.of("rule", "the rule's id (README, Findings)"),
            Column.of("title", "the rule's name"),
            Column.of("snapshot", "the snapshot the finding describes (a label of marks.csv), empty for the run"),
            Column.of("value", "the number the finding rests on"),
            Column.of("unit", "its unit: bytes"),
            Column.of("finding", "the finding in words"),
            Column.of("evidence", "the files, columns and values it was read from"),
            Column.of("advice", "what would help"));

    private final Path dir;

    public Findings(ReportContext context) {
        this.dir = context.dir();
    }

    @Override
    public void onEnd(RunResult result) throws IOException {
        write(dir);
    }

    /** The comparison output: findings.csv of the comparison folder (the rules that read compare.csv). */
    public static ComparisonSink comparison(ComparisonContext context) {
        return results -> write(context.dir());
    }

    /** Returns the findings of the report in {@code report}, rule by rule. */
    public static List<Finding> of(ReportFiles report) {
        List<Finding> found = new ArrayList<>();
        for (FindingRule rule : RULES) {
            rule.find(report).ifPresent(found::add);
        }
        return found;
    }

    /** Writes findings.csv into the report folder {@code dir} from its CSV files; returns the findings. */
    public static List<Finding> write(Path dir) throws IOException {
        List<Finding> found = of(ReportFiles.of(dir));
        try (CsvTable csv = CsvTable.create(dir.resolve(FILE), COLUMNS)) {
            for (Finding f : found) {
                csv.row(f.rule(), f.title(), f.snapshot(), Math.round(f.value()), f.unit(), f.text(), f.evidence(),
                        f.advice());
            }
        }
        return found;
    }

    /** Reads findings.csv back; none when the folder has no such file. */
    public static List<Finding> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        List<Finding> found = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return found;
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (CSVRecord c : p) {
                found.add(new Finding(c.get("rule"), c.get("title"), c.get("snapshot"),
                        Double.parseDouble(c.get("value")), c.get("unit"), c.get("finding"), c.get("evidence"),
                        c.get("advice")));
            }
        }
        return found;
    }
}
