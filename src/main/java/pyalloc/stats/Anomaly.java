package pyalloc.stats;

/** What a well-formed trace can still get wrong (trace-format.md, "Anomalies"); counted, not fatal. */
public enum Anomaly {
    FREE_OF_UNKNOWN("free_unknown", "free of a pointer that is not live (ignored)"),
    REALLOC_OF_UNKNOWN("realloc_unknown", "realloc of a pointer that is not live (replayed as an alloc)"),
    ALLOC_OF_LIVE("alloc_live", "alloc of a pointer that is already live (the missed free is replayed first)"),
    ARENA_FREE_OF_UNKNOWN("arena_free_unknown", "arena_free of an arena the trace never mapped (ignored)");

    private final String id;
    private final String description;

    Anomaly(String id, String description) {
        this.id = id;
        this.description = description;
    }

    /** Returns the name used in reports ({@code free_unknown}, ...). */
    public String id() {
        return id;
    }

    public String description() {
        return description;
    }
}
