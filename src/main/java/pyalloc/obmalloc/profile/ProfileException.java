package pyalloc.obmalloc.profile;

/** A profile name or what-if change that names no pymalloc pyalloc can simulate: a usage error. */
public final class ProfileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProfileException(String message) {
        super(message);
    }
}
