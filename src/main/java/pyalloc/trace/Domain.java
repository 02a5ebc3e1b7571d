package pyalloc.trace;

/** The allocator domain of an event: {@code obj} and {@code mem} reach pymalloc, {@code raw} never does. */
public final class Domain {
    public static final byte OBJ = 0;
    public static final byte MEM = 1;
    public static final byte RAW = 2;

    private Domain() {
    }
}
