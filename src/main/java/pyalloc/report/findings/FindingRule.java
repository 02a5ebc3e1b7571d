package pyalloc.report.findings;

import java.util.Optional;
import pyalloc.report.ReportFiles;

/**
 * A named rule that turns a report's numbers into a sentence: it reads the report folder's files and either
 * applies (one {@link Finding}) or does not (nothing is shown). Each rule's formula and threshold are in README
 * ("Findings"); a rule is one class and one line in {@link Findings#RULES}.
 */
public interface FindingRule {

    /** The rule's id in findings.csv, lower-case words joined by hyphens. */
    String id();

    /** The rule's name for a reader. */
    String title();

    /** Returns the finding when the rule applies to the report in {@code report}. */
    Optional<Finding> find(ReportFiles report);

    /** Returns a finding of this rule. */
    default Optional<Finding> finding(String snapshot, double value, String unit, String text, String evidence,
            String advice) {
        return Optional.of(new Finding(id(), title(), snapshot, value, unit, text, evidence, advice));
    }
}
