package pyalloc.stats;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Anomalies counted by kind, with the first few occurrences kept (line and pointer) for the report. */
public final class AnomalyLog {
    /** How many occurrences are kept per run. */
    public static final int KEPT = 20;

    /** One kept occurrence. */
    public record Entry(Anomaly kind, long line, String pointer) {
    }

    private final EnumMap<Anomaly, Long> counts = new EnumMap<>(Anomaly.class);
    private final List<Entry> first = new ArrayList<>();
    private long total;

    /** Records one anomaly and returns the entry describing it. */
    public Entry add(Anomaly kind, long line, String pointer) {
        counts.merge(kind, 1L, Long::sum);
        total++;
        Entry e = new Entry(kind, line, pointer);
        if (first.size() < KEPT) {
            first.add(e);
        }
        return e;
    }

    public long total() {
        return total;
    }

    public long count(Anomaly kind) {
        return counts.getOrDefault(kind, 0L);
    }

    public Map<Anomaly, Long> counts() {
        return counts;
    }

    public List<Entry> first() {
        return first;
    }
}
