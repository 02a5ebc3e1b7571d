package pyalloc.report.html;

/** Builds HTML text: escaping, and the few elements the page uses. */
final class Html {
    private final StringBuilder out = new StringBuilder(1 << 16);

    /** Returns {@code s} with &amp;, &lt;, &gt; and quotes escaped, for text and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Appends markup as it is. */
    Html raw(String markup) {
        out.append(markup);
        return this;
    }

    /** Appends text, escaped. */
    Html text(String text) {
        out.append(esc(text));
        return this;
    }

    /** Appends {@code <tag>text</tag>}, the text escaped. */
    Html el(String tag, String text) {
        out.append('<').append(tag).append('>').append(esc(text)).append("</").append(tag).append(">\n");
        return this;
    }

    /** Appends {@code <tag class="cls">text</tag>}, the text escaped. */
    Html el(String tag, String cls, String text) {
        out.append('<').append(tag).append(" class=\"").append(cls).append("\">").append(esc(text))
                .append("</").append(tag).append(">\n");
        return this;
    }

    /** Drops everything after the first {@code length} characters (a section that had nothing to show). */
    void truncate(int length) {
        out.setLength(length);
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
