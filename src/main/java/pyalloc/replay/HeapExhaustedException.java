package pyalloc.replay;

/**
 * The Java heap ran out: the message says while doing what, and how to raise the heap (exit 7). Out of memory
 * is this wherever it happens, in the replay, the reports or the charts.
 */
public final class HeapExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** How to raise the heap, the end of every message. */
    public static final String HINT = "raise it, e.g. PYALLOC_JAVA_OPTS=-Xmx8g";

    /** {@code what} did not fit: the message is {@code WHAT do not fit in the Java heap (16 MiB); raise it, ...}. */
    public HeapExhaustedException(String what) {
        super(what + " do not fit in the Java heap (" + heapMiB() + " MiB); " + HINT);
    }

    /** Returns the heap's largest size in MiB. */
    public static long heapMiB() {
        return Runtime.getRuntime().maxMemory() >> 20;
    }
}
