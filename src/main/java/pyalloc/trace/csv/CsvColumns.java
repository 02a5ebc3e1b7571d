package pyalloc.trace.csv;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import pyalloc.trace.TraceFormatException;

/**
 * A CSV trace's column header, mapped to the fields pyalloc reads (docs/trace-format.md): columns in any order,
 * unknown ones ignored with a warning, {@code op} and {@code ptr} required.
 */
final class CsvColumns {
    /**
     * The columns pyalloc reads, by role; the recorders write exactly this header, without {@code site} or, when
     * they record call sites, with it.
     */
    static final String[] COLUMNS = {"op", "ptr", "size", "new_ptr", "domain", "ns", "label", "site"};
    static final int OP = 0;
    static final int PTR = 1;
    static final int SIZE = 2;
    static final int NEW_PTR = 3;
    static final int DOMAIN = 4;
    static final int NS = 5;
    static final int LABEL = 6;
    static final int SITE = 7;
    /** The role of a column pyalloc ignores, in {@link #fastRoles}. */
    static final int IGNORED = 8;
    /** The most columns a header may have. */
    static final int MAX_COLUMNS = 64;

    /** How many columns the header has. */
    final int count;
    /** For each role, the column holding it, or -1. */
    final int[] roleToField = new int[COLUMNS.length];
    /** For each column, its role, {@link #IGNORED} for unknown columns. */
    final int[] fastRoles;
    /**
     * True when the header is exactly {@code op,ptr,size,new_ptr,domain,ns,label}, or that and {@code site}: the
     * straight-line loop applies.
     */
    final boolean canonical;
    /** A warning naming the ignored columns, or null. */
    final String warning;

    /** Parses the header line {@code text}, line {@code lineNo} of {@code file}. */
    CsvColumns(String file, long lineNo, String text) {
        List<String> names;
        try (CSVParser p = CSVParser.parse(new StringReader(text), CSVFormat.RFC4180)) {
            CSVRecord r = p.iterator().next();
            names = r.toList();
        } catch (IOException | RuntimeException e) {
            throw new TraceFormatException(file, lineNo, "header " + TraceFormatException.quote(text)
                    + " is not a CSV line");
        }
        if (names.size() > MAX_COLUMNS) {
            throw new TraceFormatException(file, lineNo, "header has " + names.size() + " columns; at most "
                    + MAX_COLUMNS + " are supported");
        }
        count = names.size();
        fastRoles = new int[count];
        Arrays.fill(roleToField, -1);
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = names.get(i).trim().toLowerCase(Locale.ROOT);
            int role = Arrays.asList(COLUMNS).indexOf(name);
            fastRoles[i] = role < 0 ? IGNORED : role;
            if (role < 0) {
                unknown.add(names.get(i));
            } else if (roleToField[role] >= 0) {
                throw new TraceFormatException(file, lineNo, "header names column \"" + name + "\" twice");
            } else {
                roleToField[role] = i;
            }
        }
        if (roleToField[OP] < 0 || roleToField[PTR] < 0) {
            throw new TraceFormatException(file, lineNo, "header " + TraceFormatException.quote(text)
                    + " has no \"" + (roleToField[OP] < 0 ? "op" : "ptr")
                    + "\" column (expected e.g. op,ptr,size,new_ptr,domain,ns,label)");
        }
        List<String> lower = names.stream().map(n -> n.trim().toLowerCase(Locale.ROOT)).toList();
        canonical = lower.equals(List.of(COLUMNS)) || lower.equals(List.of(COLUMNS).subList(0, SITE));
        warning = unknown.isEmpty() ? null : file + ":" + lineNo + ": ignoring unknown column"
                + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown);
    }

    /** Returns true when the trace has a column for {@code role}. */
    boolean has(int role) {
        return roleToField[role] >= 0;
    }
}
