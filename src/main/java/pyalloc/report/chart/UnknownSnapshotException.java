package pyalloc.report.chart;

import java.util.List;

/** A snapshot was asked for by a label the report does not have. */
public final class UnknownSnapshotException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UnknownSnapshotException(String label, List<String> known) {
        super("no snapshot \"" + label + "\" in this report (it has " + String.join(", ", known) + ")");
    }
}
