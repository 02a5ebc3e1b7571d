package pyalloc.report.html;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import pyalloc.report.ReportFiles;
import pyalloc.report.ReportFiles.Row;
import pyalloc.report.text.SummaryText;

/** The page being written: the report folder's files, the HTML so far, and how the page says numbers. */
final class Page {
    final ReportFiles files;
    /** The snapshot the per-class and per-arena views show, a label of marks.csv. */
    final String shown;
    final Html html = new Html();

    Page(ReportFiles files, String shown) {
        this.files = files;
        this.shown = shown;
    }

    /**
     * Appends the chart {@code name} of the folder ({@code footprint.png}), embedded: its SVG form when the
     * folder has it, else the PNG, with {@code alt} as its text; false when neither is there.
     */
    boolean chart(String name, String alt) {
        Path svg = files.dir().resolve(name.replaceFirst("\\.png$", ".svg"));
        if (!svg.equals(files.dir().resolve(name)) && Files.isRegularFile(svg)) {
            try {
                html.raw("<figure>").raw(inline(Files.readString(svg))).raw("</figure>\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return true;
        }
        Path p = files.dir().resolve(name);
        if (!Files.isRegularFile(p)) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        html.raw("<figure><img src=\"data:image/png;base64,").raw(Base64.getEncoder().encodeToString(bytes))
                .raw("\" alt=\"").text(alt).raw("\"></figure>\n");
        return true;
    }

    /**
     * Returns an SVG document as an element of the page: without its XML prolog and namespace declaration, which
     * HTML gives every svg element (and which would be the page's only address outside itself).
     */
    static String inline(String svg) {
        int start = svg.indexOf("<svg");
        return svg.substring(Math.max(start, 0)).replaceFirst(" xmlns=\"http://www.w3.org/2000/svg\"", "");
    }

    /** 812 B, 1.53 MiB; the exact count in a tooltip. */
    static String bytes(Row r, String column) {
        String v = r.get(column);
        if (v.isEmpty()) {
            return "";
        }
        long n = Long.parseLong(v);
        return "<span title=\"" + String.format(Locale.ROOT, "%,d", n) + " bytes\">" + Html.esc(SummaryText.bytes(n))
                + "</span>";
    }

    static String bytes(long n) {
        return Html.esc(SummaryText.bytes(n));
    }

    /** A count with thousands separators. */
    static String count(Row r, String column) {
        String v = r.get(column);
        return v.isEmpty() ? "" : String.format(Locale.ROOT, "%,d", Long.parseLong(v));
    }

    /** A percentage column with one decimal. */
    static String pct(Row r, String column) {
        String v = r.get(column);
        return v.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f %%", Double.parseDouble(v));
    }

    /** When a row was taken: ms of trace time, or the event index. */
    static String when(Row r) {
        String ns = r.get("ns");
        return ns.isEmpty() ? String.format(Locale.ROOT, "event %,d", r.lng("event"))
                : String.format(Locale.ROOT, "%.1f ms", Long.parseLong(ns) / 1e6);
    }
}
