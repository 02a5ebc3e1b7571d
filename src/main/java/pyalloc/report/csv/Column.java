package pyalloc.report.csv;

/**
 * A CSV column: its header (snake_case, with the unit in the name) and what it means. The README's column
 * tables are checked against these lists by a test.
 */
public record Column(String header, String description) {
    public static Column of(String header, String description) {
        return new Column(header, description);
    }
}
