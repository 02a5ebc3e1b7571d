package pyalloc.trace;

/** The allocator domain of an event: {@code obj} and {@code mem} reach pymalloc, {@code raw} never does. */
public final class Domain {
    public static final byte OBJ = 0;
    public static final byte MEM = 1;
    public static final byte RAW = 2;

    private Domain() {
    }

    /** Returns the domain spelled by {@code b[from, to)} (empty means obj), or -1. */
    public static byte parse(byte[] b, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return OBJ;
        }
        if (n != 3) {
            return -1;
        }
        byte x = b[from];
        byte y = b[from + 1];
        byte z = b[from + 2];
        if (x == 'o' && y == 'b' && z == 'j') {
            return OBJ;
        }
        if (x == 'm' && y == 'e' && z == 'm') {
            return MEM;
        }
        if (x == 'r' && y == 'a' && z == 'w') {
            return RAW;
        }
        return -1;
    }
}
