package pyalloc.obmalloc.profile;

/**
 * The profile a replay uses and why.
 *
 * @param profile the profile, what-if changes applied
 * @param note    for the summary's profile line, e.g. {@code " (from the trace header)"}; empty when named
 * @param warning a line for standard error when the trace's interpreter is not modelled, else null
 */
public record ProfileChoice(AllocatorProfile profile, String note, String warning) {
}
