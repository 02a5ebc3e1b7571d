package pyalloc.report.chart;

import com.pngencoder.PngEncoder;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.CategoryDataset;
import pyalloc.report.WriteFailures;

/** All the colours, sizes and fonts of pyalloc's charts, in one place. */
public record ChartStyle(int width, int height, Font titleFont, Font labelFont, Color background, Color grid,
        List<Color> layers, Color arenas, Color frag, Color peakFrag, Color mark, Color pinned, Color shutdown) {

    /**
     * Colour-blind-safe (Okabe-Ito) layers, light background, sizes that read well in a report. The two layers
     * outside pymalloc are greens, apart from the arenas' blues, yellows and grey.
     */
    public static final ChartStyle DEFAULT = new ChartStyle(1200, 800,
            new Font(Font.SANS_SERIF, Font.BOLD, 18), new Font(Font.SANS_SERIF, Font.PLAIN, 13),
            Color.WHITE, new Color(0xDDDDDD),
            List.of(new Color(0x0072B2), new Color(0x56B4E9), new Color(0xE69F00), new Color(0xF0E442),
                    new Color(0x999999), new Color(0x009E73), new Color(0x8FD6BF)),
            new Color(0x000000), new Color(0xD55E00), new Color(0xCC79A7), new Color(0x555555),
            new Color(0xD55E00), new Color(255, 255, 255, 150));

    public Paint layer(int i) {
        return layers.get(i % layers.size());
    }

    /**
     * Line colours for one series per configuration (compare.png): Okabe-Ito without its yellow, which does not
     * read on white; after the seventh, the colours repeat with {@link #seriesStroke} dashed.
     */
    private static final List<Color> SERIES = List.of(new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
            new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000));

    /** Returns the colour of configuration line {@code i}. */
    public Paint series(int i) {
        return SERIES.get(i % SERIES.size());
    }

    /**
     * Returns the stroke of configuration line {@code i}, drawn after (over) line {@code i - 1}: each narrower than
     * the one before, down to 1.5 px, so that where lines coincide every colour still shows as a band of the one
     * beneath; solid for the first seven, then dashed.
     */
    public Stroke seriesStroke(int i) {
        float width = Math.max(1.5f, 7.5f - 1.5f * i);
        return i < SERIES.size() ? new BasicStroke(width)
                : new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {9f, 5f}, 0f);
    }

    public Stroke line() {
        return new BasicStroke(2f);
    }

    /**
     * Solid, where JFreeChart's default is dashed: Java2D draws every dash as a shape of its own, about a
     * thousand for the grid of one chart, and in the cold code at the end of a run that took 70 ms a chart.
     */
    public Stroke gridline() {
        return new BasicStroke(1f);
    }

    public Stroke dashed() {
        return new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    }

    /** Applies background, grid and fonts to a chart. */
    public void apply(JFreeChart chart) {
        chart.setBackgroundPaint(background);
        chart.getTitle().setFont(titleFont);
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(labelFont);
        }
    }

    /** Returns a flat bar renderer painting its two series in the given colours. */
    public BarRenderer bars(Paint first, Paint second) {
        BarRenderer bars = new BarRenderer();
        flat(bars);
        bars.setSeriesPaint(0, first);
        bars.setSeriesPaint(1, second);
        return bars;
    }

    /** Makes a bar renderer's bars flat: no gradient, no shadow. */
    public void flat(BarRenderer bars) {
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
    }

    /** Lays out a category chart in this style and writes it as a PNG of this style's size. */
    public void save(Path png, String title, CategoryDataset data, CategoryAxis x, ValueAxis y, BarRenderer bars)
            throws IOException {
        x.setLabelFont(labelFont);
        y.setLabelFont(labelFont);
        CategoryPlot plot = new CategoryPlot(data, x, y, bars);
        plot.setBackgroundPaint(background);
        plot.setRangeGridlinePaint(grid);
        plot.setRangeGridlineStroke(gridline());
        JFreeChart chart = new JFreeChart(title, titleFont, plot, true);
        apply(chart);
        write(chart, png);
    }

    /**
     * Draws a chart at this style's size and writes it as a PNG. With pngencoder at deflate level 3 rather
     * than ImageIO's PNG writer, which deflates harder after trying five filters on every row: a replay of a
     * small trace with its three charts took 1.85 s instead of 2.24 s and 3.4 CPU-s instead of 4.15 (medians
     * of six alternating runs), for files about 1.3 times as large (30-90 KB).
     */
    public void write(JFreeChart chart, Path png) throws IOException {
        writeRaster(chart, png);
        writeSvg(chart, png);
    }

    /**
     * As {@link #write}, the PNG only: for a heat map, whose thousands of cells would make a vector form larger
     * than the picture and no sharper.
     */
    public void writeRaster(JFreeChart chart, Path png) throws IOException {
        PngEncoder encoder = png(chart, width, height);
        try (OutputStream out = Files.newOutputStream(png)) {
            encoder.toStream(out);
        } catch (UncheckedIOException e) {
            throw WriteFailures.naming(png, e);  // "No space left on device" alone does not say where
        } catch (IOException e) {
            throw WriteFailures.naming(png, e);
        }
    }

    /**
     * Writes the chart's vector form beside its PNG ({@code footprint.svg} beside {@code footprint.png}): what
     * the report's page shows, sharp at any size, its text searchable; its ids start with the file's stem.
     */
    static void writeSvg(JFreeChart chart, Path png) throws IOException {
        String name = png.getFileName().toString();
        String stem = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        String title = chart.getTitle() == null ? stem : chart.getTitle().getText();
        Path svg = png.resolveSibling(stem + ".svg");
        try {
            Files.writeString(svg, SvgGraphics.draw(chart, DEFAULT.width(), DEFAULT.height(), stem, title),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw WriteFailures.naming(svg, e);
        }
    }

    /** Returns the encoder of {@link #write} for a chart drawn at the given size. */
    static PngEncoder png(JFreeChart chart, int width, int height) {
        return new PngEncoder()
                .withBufferedImage(chart.createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB, null))
                .withCompressionLevel(3)
                .withMultiThreadedCompressionEnabled(false);  // the charts are drawn on two threads already
    }

    /** Applies background and grid to a plot. */
    public void apply(XYPlot plot) {
        plot.setBackgroundPaint(background);
        plot.setDomainGridlinePaint(grid);
        plot.setRangeGridlinePaint(grid);
        plot.setDomainGridlineStroke(gridline());
        plot.setRangeGridlineStroke(gridline());
        if (plot.getDomainAxis() != null) {  // null in a subplot: the combined plot owns the domain axis
            plot.getDomainAxis().setLabelFont(labelFont);
        }
        plot.getRangeAxis().setLabelFont(labelFont);
    }
}
