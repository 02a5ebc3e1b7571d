package pyalloc.replay;

/** The live set of a trace does not fit in the Java heap: the message says how to raise it. */
public final class HeapExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HeapExhaustedException(String trace) {
        super(trace + ": the live blocks of this trace do not fit in the Java heap ("
                + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); raise it, e.g. PYALLOC_JAVA_OPTS=-Xmx8g");
    }
}
