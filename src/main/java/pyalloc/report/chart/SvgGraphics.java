package pyalloc.report.chart;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Composite;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.GraphicsConfiguration;
import java.awt.Image;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.PathIterator;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.BufferedImageOp;
import java.awt.image.ImageObserver;
import java.awt.image.RenderedImage;
import java.awt.image.renderable.RenderableImage;
import java.text.AttributedCharacterIterator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;

/**
 * A Graphics2D that writes SVG: enough of it for what JFreeChart draws (filled and stroked shapes, text, clips,
 * transforms, translucency). pyalloc's own, so that a chart's vector form needs no library (the one JFreeChart
 * pairs with, JFreeSVG, is GPL) and costs no rasterising. Text stays text, set in the browser's sans-serif: it
 * is measured here with Java's fonts, which are close enough for labels.
 */
final class SvgGraphics extends Graphics2D {

    /** What one drawing writes to, shared by the copies {@link #create()} makes. */
    private static final class Doc {
        final StringBuilder body = new StringBuilder(1 << 16);
        final StringBuilder defs = new StringBuilder();
        final Map<String, String> clipIds = new HashMap<>();
        final String idPrefix;
        final Graphics2D metrics;

        Doc(String idPrefix) {
            this.idPrefix = idPrefix;
            this.metrics = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        }
    }

    private final Doc doc;
    private Paint paint = Color.BLACK;
    private Color background = Color.WHITE;
    private Stroke stroke = new BasicStroke(1f);
    private Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private AffineTransform transform = new AffineTransform();
    private Composite composite = AlphaComposite.SrcOver;
    /** In device space; null: none. */
    private Shape clip;
    private final RenderingHints hints = new RenderingHints(null);

    private SvgGraphics(Doc doc) {
        this.doc = doc;
        hints.put(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        hints.put(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    }

    /** The namespace a standalone SVG file declares (an SVG inside HTML needs none). */
    static final String XMLNS = "xmlns=\"http://www.w3.org/2000/svg\"";

    /**
     * Returns {@code chart} drawn at {@code width} × {@code height} as an SVG document; ids of clip paths start
     * with {@code idPrefix}, so that several charts can stand in one HTML page.
     */
    static String draw(JFreeChart chart, int width, int height, String idPrefix, String label) {
        Doc doc = new Doc(idPrefix);
        SvgGraphics g = new SvgGraphics(doc);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        g.dispose();
        doc.metrics.dispose();
        StringBuilder svg = new StringBuilder(doc.body.length() + doc.defs.length() + 512);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ").append(XMLNS).append(" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"").append(esc(label))
                .append("\" font-family=\"sans-serif\" text-rendering=\"geometricPrecision\">\n");
        if (doc.defs.length() > 0) {
            svg.append("<defs>").append(doc.defs).append("</defs>\n");
        }
        return svg.append(doc.body).append("</svg>\n").toString();
    }

    // ---- drawing -----------------------------------------------------------------------------------------------

    @Override
    public void fill(Shape s) {
        element(s, true);
    }

    @Override
    public void draw(Shape s) {
        element(s, false);
    }

    private void element(Shape s, boolean fill) {
        Color c = color(paint);
        if (c == null) {
            return;
        }
        Shape device = transform.createTransformedShape(s);
        Rectangle2D bounds = device.getBounds2D();
        if (clip != null && !clip.intersects(bounds.getX() - 1, bounds.getY() - 1, bounds.getWidth() + 2,
                bounds.getHeight() + 2)) {
            return;  // wholly outside the clip: nothing would show
        }
        StringBuilder b = doc.body;
        b.append("<path d=\"");
        path(b, device);
        b.append('"');
        double alpha = alpha(c);
        if (fill) {
            b.append(" fill=\"").append(hex(c)).append('"');
            if (alpha < 1) {
                b.append(" fill-opacity=\"").append(num(alpha)).append('"');
            }
        } else {
            b.append(" fill=\"none\" stroke=\"").append(hex(c)).append('"');
            if (alpha < 1) {
                b.append(" stroke-opacity=\"").append(num(alpha)).append('"');
            }
            strokeAttributes(b);
        }
        clipAttribute(b);
        b.append("/>\n");
    }

    private void strokeAttributes(StringBuilder b) {
        if (!(stroke instanceof BasicStroke bs)) {
            return;
        }
        double scale = Math.sqrt(Math.abs(transform.getDeterminant()));
        b.append(" stroke-width=\"").append(num(Math.max(bs.getLineWidth() * scale, 0.5))).append('"');
        float[] dash = bs.getDashArray();
        if (dash != null) {
            b.append(" stroke-dasharray=\"");
            for (int i = 0; i < dash.length; i++) {
                b.append(i == 0 ? "" : ",").append(num(dash[i] * scale));
            }
            b.append('"');
        }
        switch (bs.getEndCap()) {
            case BasicStroke.CAP_ROUND -> b.append(" stroke-linecap=\"round\"");
            case BasicStroke.CAP_SQUARE -> b.append(" stroke-linecap=\"square\"");
            default -> { }
        }
        switch (bs.getLineJoin()) {
            case BasicStroke.JOIN_ROUND -> b.append(" stroke-linejoin=\"round\"");
            case BasicStroke.JOIN_BEVEL -> b.append(" stroke-linejoin=\"bevel\"");
            default -> { }
        }
    }

    private void clipAttribute(StringBuilder b) {
        if (clip == null) {
            return;
        }
        StringBuilder d = new StringBuilder();
        path(d, clip);
        String key = d.toString();
        String id = doc.clipIds.get(key);
        if (id == null) {
            id = doc.idPrefix + "-clip" + doc.clipIds.size();
            doc.clipIds.put(key, id);
            doc.defs.append("<clipPath id=\"").append(id).append("\"><path d=\"").append(key)
                    .append("\"/></clipPath>");
        }
        b.append(" clip-path=\"url(#").append(id).append(")\"");
    }

    @Override
    public void drawString(String str, float x, float y) {
        Color c = color(paint);
        if (c == null || str.isEmpty()) {
            return;
        }
        StringBuilder b = doc.body;
        b.append("<text");
        if (transform.getType() == AffineTransform.TYPE_IDENTITY
                || transform.getType() == AffineTransform.TYPE_TRANSLATION) {
            b.append(" x=\"").append(num(x + transform.getTranslateX())).append("\" y=\"")
                    .append(num(y + transform.getTranslateY())).append('"');
        } else {
            double[] m = new double[6];
            transform.getMatrix(m);
            b.append(" transform=\"matrix(").append(num(m[0])).append(' ').append(num(m[1])).append(' ')
                    .append(num(m[2])).append(' ').append(num(m[3])).append(' ').append(num(m[4])).append(' ')
                    .append(num(m[5])).append(")\" x=\"").append(num(x)).append("\" y=\"").append(num(y)).append('"');
        }
        b.append(" font-size=\"").append(num(font.getSize2D())).append('"');
        if (!family(font).equals("sans-serif")) {
            b.append(" font-family=\"").append(family(font)).append('"');
        }
        if (font.isBold()) {
            b.append(" font-weight=\"bold\"");
        }
        if (font.isItalic()) {
            b.append(" font-style=\"italic\"");
        }
        b.append(" fill=\"").append(hex(c)).append('"');
        if (alpha(c) < 1) {
            b.append(" fill-opacity=\"").append(num(alpha(c))).append('"');
        }
        // Java measured the text to place it; the browser's font differs a little: squeeze it to that width.
        double width = font.getStringBounds(str, getFontRenderContext()).getWidth();
        b.append(" textLength=\"").append(num(width)).append("\" lengthAdjust=\"spacingAndGlyphs\"");
        clipAttribute(b);
        b.append('>').append(esc(str)).append("</text>\n");
    }

    @Override
    public void drawString(String str, int x, int y) {
        drawString(str, (float) x, (float) y);
    }

    @Override
    public void drawString(AttributedCharacterIterator iterator, float x, float y) {
        StringBuilder s = new StringBuilder();
        for (char c = iterator.first(); c != AttributedCharacterIterator.DONE; c = iterator.next()) {
            s.append(c);
        }
        drawString(s.toString(), x, y);
    }

    @Override
    public void drawString(AttributedCharacterIterator iterator, int x, int y) {
        drawString(iterator, (float) x, (float) y);
    }

    @Override
    public void drawGlyphVector(GlyphVector g, float x, float y) {
        fill(g.getOutline(x, y));
    }

    @Override
    public boolean drawImage(Image img, AffineTransform xform, ImageObserver obs) {
        return true;  // JFreeChart draws images only for backgrounds pyalloc does not set
    }

    @Override
    public void drawImage(BufferedImage img, BufferedImageOp op, int x, int y) {
    }

    @Override
    public void drawRenderedImage(RenderedImage img, AffineTransform xform) {
    }

    @Override
    public void drawRenderableImage(RenderableImage img, AffineTransform xform) {
    }

    @Override
    public boolean drawImage(Image img, int x, int y, ImageObserver observer) {
        return true;
    }

    @Override
    public boolean drawImage(Image img, int x, int y, int width, int height, ImageObserver observer) {
        return true;
    }

    @Override
    public boolean drawImage(Image img, int x, int y, Color bgcolor, ImageObserver observer) {
        return true;
    }

    @Override
    public boolean drawImage(Image img, int x, int y, int width, int height, Color bgcolor, ImageObserver observer) {
        return true;
    }

    @Override
    public boolean drawImage(Image img, int dx1, int dy1, int dx2, int dy2, int sx1, int sy1, int sx2, int sy2,
            ImageObserver observer) {
        return true;
    }

    @Override
    public boolean drawImage(Image img, int dx1, int dy1, int dx2, int dy2, int sx1, int sy1, int sx2, int sy2,
            Color bgcolor, ImageObserver observer) {
        return true;
    }

    @Override
    public boolean hit(Rectangle rect, Shape s, boolean onStroke) {
        Shape device = transform.createTransformedShape(onStroke ? stroke.createStrokedShape(s) : s);
        return device.intersects(rect);
    }

    @Override
    public void drawLine(int x1, int y1, int x2, int y2) {
        draw(new Line2D.Double(x1, y1, x2, y2));
    }

    @Override
    public void fillRect(int x, int y, int width, int height) {
        fill(new Rectangle(x, y, width, height));
    }

    @Override
    public void clearRect(int x, int y, int width, int height) {
        Paint saved = paint;
        paint = background;
        fillRect(x, y, width, height);
        paint = saved;
    }

    @Override
    public void drawRoundRect(int x, int y, int width, int height, int arcWidth, int arcHeight) {
        draw(new RoundRectangle2D.Double(x, y, width, height, arcWidth, arcHeight));
    }

    @Override
    public void fillRoundRect(int x, int y, int width, int height, int arcWidth, int arcHeight) {
        fill(new RoundRectangle2D.Double(x, y, width, height, arcWidth, arcHeight));
    }

    @Override
    public void drawOval(int x, int y, int width, int height) {
        draw(new Ellipse2D.Double(x, y, width, height));
    }

    @Override
    public void fillOval(int x, int y, int width, int height) {
        fill(new Ellipse2D.Double(x, y, width, height));
    }

    @Override
    public void drawArc(int x, int y, int width, int height, int startAngle, int arcAngle) {
        draw(new java.awt.geom.Arc2D.Double(x, y, width, height, startAngle, arcAngle, java.awt.geom.Arc2D.OPEN));
    }

    @Override
    public void fillArc(int x, int y, int width, int height, int startAngle, int arcAngle) {
        fill(new java.awt.geom.Arc2D.Double(x, y, width, height, startAngle, arcAngle, java.awt.geom.Arc2D.PIE));
    }

    @Override
    public void drawPolyline(int[] xPoints, int[] yPoints, int nPoints) {
        java.awt.geom.Path2D.Double p = new java.awt.geom.Path2D.Double();
        for (int i = 0; i < nPoints; i++) {
            if (i == 0) {
                p.moveTo(xPoints[i], yPoints[i]);
            } else {
                p.lineTo(xPoints[i], yPoints[i]);
            }
        }
        draw(p);
    }

    @Override
    public void drawPolygon(int[] xPoints, int[] yPoints, int nPoints) {
        draw(new java.awt.Polygon(xPoints, yPoints, nPoints));
    }

    @Override
    public void fillPolygon(int[] xPoints, int[] yPoints, int nPoints) {
        fill(new java.awt.Polygon(xPoints, yPoints, nPoints));
    }

    @Override
    public void copyArea(int x, int y, int width, int height, int dx, int dy) {
    }

    // ---- state -------------------------------------------------------------------------------------------------

    @Override
    public Graphics create() {
        SvgGraphics g = new SvgGraphics(doc);
        g.paint = paint;
        g.background = background;
        g.stroke = stroke;
        g.font = font;
        g.transform = new AffineTransform(transform);
        g.composite = composite;
        g.clip = clip;
        g.hints.putAll(hints);
        return g;
    }

    @Override
    public void dispose() {
    }

    @Override
    public GraphicsConfiguration getDeviceConfiguration() {
        return doc.metrics.getDeviceConfiguration();
    }

    @Override
    public void setComposite(Composite comp) {
        composite = comp;
    }

    @Override
    public Composite getComposite() {
        return composite;
    }

    @Override
    public void setPaint(Paint paint) {
        if (paint != null) {
            this.paint = paint;
        }
    }

    @Override
    public Paint getPaint() {
        return paint;
    }

    @Override
    public void setColor(Color c) {
        setPaint(c);
    }

    @Override
    public Color getColor() {
        return paint instanceof Color c ? c : Color.BLACK;
    }

    @Override
    public void setPaintMode() {
    }

    @Override
    public void setXORMode(Color c1) {
    }

    @Override
    public void setBackground(Color color) {
        background = color;
    }

    @Override
    public Color getBackground() {
        return background;
    }

    @Override
    public void setStroke(Stroke s) {
        stroke = s;
    }

    @Override
    public Stroke getStroke() {
        return stroke;
    }

    @Override
    public void setRenderingHint(RenderingHints.Key hintKey, Object hintValue) {
        if (hintValue == null) {
            hints.remove(hintKey);
        } else {
            hints.put(hintKey, hintValue);
        }
    }

    @Override
    public Object getRenderingHint(RenderingHints.Key hintKey) {
        return hints.get(hintKey);
    }

    @Override
    public void setRenderingHints(Map<?, ?> h) {
        hints.clear();
        hints.putAll(h);
    }

    @Override
    public void addRenderingHints(Map<?, ?> h) {
        hints.putAll(h);
    }

    @Override
    public RenderingHints getRenderingHints() {
        return (RenderingHints) hints.clone();
    }

    @Override
    public Font getFont() {
        return font;
    }

    @Override
    public void setFont(Font font) {
        if (font != null) {
            this.font = font;
        }
    }

    @Override
    public FontMetrics getFontMetrics(Font f) {
        return doc.metrics.getFontMetrics(f);
    }

    @Override
    public FontRenderContext getFontRenderContext() {
        return new FontRenderContext(null, true, true);
    }

    @Override
    public void translate(int x, int y) {
        transform.translate(x, y);
    }

    @Override
    public void translate(double tx, double ty) {
        transform.translate(tx, ty);
    }

    @Override
    public void rotate(double theta) {
        transform.rotate(theta);
    }

    @Override
    public void rotate(double theta, double x, double y) {
        transform.rotate(theta, x, y);
    }

    @Override
    public void scale(double sx, double sy) {
        transform.scale(sx, sy);
    }

    @Override
    public void shear(double shx, double shy) {
        transform.shear(shx, shy);
    }

    @Override
    public void transform(AffineTransform tx) {
        transform.concatenate(tx);
    }

    @Override
    public void setTransform(AffineTransform tx) {
        transform = new AffineTransform(tx);
    }

    @Override
    public AffineTransform getTransform() {
        return new AffineTransform(transform);
    }

    @Override
    public Shape getClip() {
        if (clip == null) {
            return null;
        }
        try {
            return transform.createInverse().createTransformedShape(clip);
        } catch (java.awt.geom.NoninvertibleTransformException e) {
            return null;
        }
    }

    @Override
    public Rectangle getClipBounds() {
        Shape c = getClip();
        return c == null ? null : c.getBounds();
    }

    @Override
    public void clipRect(int x, int y, int width, int height) {
        clip(new Rectangle(x, y, width, height));
    }

    @Override
    public void setClip(int x, int y, int width, int height) {
        setClip(new Rectangle(x, y, width, height));
    }

    @Override
    public void setClip(Shape s) {
        clip = s == null ? null : transform.createTransformedShape(s);
    }

    @Override
    public void clip(Shape s) {
        Shape device = transform.createTransformedShape(s);
        if (clip == null) {
            clip = device;
        } else if (clip instanceof Rectangle2D a && device instanceof Rectangle2D b) {
            clip = a.createIntersection(b);
        } else {
            Area area = new Area(clip);
            area.intersect(new Area(device));
            clip = area;
        }
    }

    // ---- text of the SVG ---------------------------------------------------------------------------------------

    private Color color(Paint p) {
        Color c = p instanceof Color col ? col : p instanceof GradientPaint gp ? gp.getColor1() : Color.GRAY;
        return alpha(c) <= 0 ? null : c;
    }

    private double alpha(Color c) {
        double a = c.getAlpha() / 255.0;
        if (composite instanceof AlphaComposite ac) {
            a *= ac.getAlpha();
        }
        return a;
    }

    private static String hex(Color c) {
        String h = Integer.toHexString(0x1000000 | (c.getRGB() & 0xFFFFFF));
        return "#" + h.substring(1);
    }

    private static String family(Font f) {
        String name = f.getFamily(Locale.ROOT);
        return switch (name) {
            case Font.SANS_SERIF, Font.DIALOG, Font.DIALOG_INPUT -> "sans-serif";
            case Font.SERIF -> "serif";
            case Font.MONOSPACED -> "monospace";
            default -> name.contains("Mono") ? "monospace" : "sans-serif";
        };
    }

    private static void path(StringBuilder b, Shape s) {
        double[] c = new double[6];
        for (PathIterator it = s.getPathIterator(null); !it.isDone(); it.next()) {
            switch (it.currentSegment(c)) {
                case PathIterator.SEG_MOVETO -> b.append('M').append(num(c[0])).append(' ').append(num(c[1]));
                case PathIterator.SEG_LINETO -> b.append('L').append(num(c[0])).append(' ').append(num(c[1]));
                case PathIterator.SEG_QUADTO -> b.append('Q').append(num(c[0])).append(' ').append(num(c[1]))
                        .append(' ').append(num(c[2])).append(' ').append(num(c[3]));
                case PathIterator.SEG_CUBICTO -> b.append('C').append(num(c[0])).append(' ').append(num(c[1]))
                        .append(' ').append(num(c[2])).append(' ').append(num(c[3])).append(' ').append(num(c[4]))
                        .append(' ').append(num(c[5]));
                case PathIterator.SEG_CLOSE -> b.append('Z');
                default -> { }
            }
        }
    }

    /**
     * A coordinate with at most two decimals, no trailing zeros: small files, sub-pixel exact enough. By hand, not
     * with String.format, which parses its pattern on every call: a chart writes tens of thousands of these.
     */
    static String num(double v) {
        long h = Math.round(v * 100);
        StringBuilder b = new StringBuilder(12);
        if (h < 0) {
            b.append('-');
            h = -h;
        }
        b.append(h / 100);
        int frac = (int) (h % 100);
        if (frac != 0) {
            b.append('.').append(frac / 10);
            if (frac % 10 != 0) {
                b.append(frac % 10);
            }
        }
        return b.toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
