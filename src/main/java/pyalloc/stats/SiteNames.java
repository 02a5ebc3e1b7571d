package pyalloc.stats;

import java.util.List;

/** The names of a trace's call sites: what the reports print for a site id. */
@FunctionalInterface
public interface SiteNames {
    /**
     * Returns the stack of {@code site}, innermost frame first; empty for site 0 (no Python frame ran) and for an
     * id the trace does not define.
     */
    List<SiteFrame> stack(int site);
}
