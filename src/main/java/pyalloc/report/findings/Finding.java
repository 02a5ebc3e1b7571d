package pyalloc.report.findings;

/**
 * One conclusion drawn from a report's numbers, in words, with the evidence it rests on.
 *
 * @param rule     the rule's id ({@code held-vs-needed}, ...), documented in README
 * @param title    the rule's name in the summary and the page
 * @param snapshot the snapshot it describes (a label of marks.csv), or empty when it describes the run
 * @param value    the number it rests on, in {@code unit}
 * @param unit     {@code bytes}, {@code pct}, ...
 * @param text     the finding, one or two sentences a reader without pymalloc's vocabulary follows
 * @param evidence the files, columns and values the finding was read from
 * @param advice   what would help
 */
public record Finding(String rule, String title, String snapshot, double value, String unit, String text,
        String evidence, String advice) {
}
