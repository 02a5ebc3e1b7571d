package pyalloc.report.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.AbstractXYItemRenderer;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

/**
 * What the two heat maps share: cells of any width (the moments of an over-time table are evenly spaced by
 * event, not by time), the colour ramps and the legend. Time runs across as on footprint.png, in ms when the
 * trace has ns.
 */
final class Heatmap {
    /** Light to dark: a share from 0 to 100 %. Light enough at 0 to tell from an empty (white) cell. */
    static final Ramp BLUES = new Ramp(new Color(0xC6DBEF), new Color(0x6BAED6), new Color(0x2171B5),
            new Color(0x08306B));
    /** Pinned arenas, light (nearly empty) to dark (at the threshold): apart from every blue. */
    static final Ramp ORANGES = new Ramp(new Color(0xFDD0A2), new Color(0xFD8D3C), new Color(0xD94801));
    /** A mapped arena without a live block. */
    static final Color EMPTY = new Color(0xBBBBBB);

    private Heatmap() {
    }

    /** A colour ramp over 0..1, evenly through its stops; as a {@link PaintScale}, over 0..100. */
    record Ramp(Color... stops) implements PaintScale {
        Color at(double share) {
            double t = Math.max(0, Math.min(1, share)) * (stops.length - 1);
            int i = Math.min((int) t, stops.length - 2);
            double f = t - i;
            Color a = stops[i];
            Color b = stops[i + 1];
            return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                    (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                    (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
        }

        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return 100;
        }

        @Override
        public Paint getPaint(double value) {
            return at(value / 100);
        }
    }

    /** The moments of an over-time table: rows grouped by event, in order, each with its x and its cell's width. */
    record Moments(List<List<CSVRecord>> rows, double[] x, double[] end, boolean byTime) {
        static Moments read(Path csv) throws IOException {
            List<List<CSVRecord>> rows = new ArrayList<>();
            String event = null;
            for (CSVRecord r : CsvRows.read(csv, r -> true)) {
                if (!r.get("event").equals(event)) {
                    rows.add(new ArrayList<>());
                    event = r.get("event");
                }
                rows.get(rows.size() - 1).add(r);
            }
            boolean byTime = !rows.isEmpty() && !rows.get(0).get(0).get("ns").isEmpty();
            int n = rows.size();
            double[] x = new double[n];
            for (int k = 0; k < n; k++) {
                x[k] = MarkLines.x(rows.get(k).get(0), byTime);
            }
            // A moment's cell runs to the next moment; the last one as wide as the one before it.
            double[] end = new double[n];
            for (int k = 0; k < n; k++) {
                end[k] = k + 1 < n ? x[k + 1] : n > 1 ? x[k] + (x[k] - x[k - 1]) : x[k] + 1;
            }
            return new Moments(rows, x, end, byTime);
        }

        /** Returns where the time axis ends. */
        double last() {
            return end.length == 0 ? 1 : end[end.length - 1];
        }
    }

    /** The cells of a heat map: rectangles in data coordinates, each with its colour. */
    static final class Cells {
        private final XYIntervalSeries series = new XYIntervalSeries("cells", false, true);
        private final List<Paint> paints = new ArrayList<>();

        void add(double x0, double x1, double y0, double y1, Paint paint) {
            series.add(x0, x0, x1, y0, y0, y1);
            paints.add(paint);
        }

        /** Returns a plot drawing these cells on the given axes, with the legend items under the chart. */
        XYPlot plot(ValueAxis x, ValueAxis y, ChartStyle style, LegendItemCollection legend) {
            XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
            data.addSeries(series);
            XYPlot plot = new XYPlot(data, x, y, new CellRenderer(paints));
            style.apply(plot);
            plot.setDomainGridlinesVisible(false);
            plot.setRangeGridlinesVisible(false);
            plot.setFixedLegendItems(legend);
            return plot;
        }
    }

    /** Returns a chart of {@code plot}, with the colour scale of {@code ramp} beside it, labelled. */
    static JFreeChart chart(String title, XYPlot plot, Ramp ramp, String scaleLabel, ChartStyle style) {
        JFreeChart chart = new JFreeChart(title, style.titleFont(), plot, true);
        style.apply(chart);
        chart.setAntiAlias(false);  // cells meet edge to edge; smoothing would leave seams between them
        chart.setTextAntiAlias(true);
        NumberAxis scaleAxis = new NumberAxis(scaleLabel);
        scaleAxis.setRange(0, 100);
        scaleAxis.setLabelFont(style.labelFont());
        PaintScaleLegend scale = new PaintScaleLegend(ramp, scaleAxis);
        scale.setPosition(RectangleEdge.RIGHT);
        scale.setStripWidth(14);
        scale.setMargin(new RectangleInsets(40, 8, 80, 8));
        scale.setBackgroundPaint(style.background());
        chart.addSubtitle(scale);
        return chart;
    }

    /** Returns a legend entry: a square of {@code paint} with the words a reader needs. */
    static LegendItem item(String words, Paint paint) {
        return new LegendItem(words, null, null, null, new Rectangle2D.Double(-5, -5, 10, 10), paint,
                new BasicStroke(1f), Color.GRAY);
    }

    /** Draws each item of an interval dataset as a filled rectangle, in its own colour. */
    private static final class CellRenderer extends AbstractXYItemRenderer {
        private static final long serialVersionUID = 1L;
        private final transient List<Paint> paints;

        CellRenderer(List<Paint> paints) {
            this.paints = paints;
        }

        @Override
        public void drawItem(Graphics2D g2, XYItemRendererState state, Rectangle2D dataArea,
                PlotRenderingInfo info, XYPlot plot, ValueAxis domainAxis, ValueAxis rangeAxis, XYDataset dataset,
                int series, int item, CrosshairState crosshairState, int pass) {
            XYIntervalSeriesCollection d = (XYIntervalSeriesCollection) dataset;
            RectangleEdge xEdge = plot.getDomainAxisEdge();
            RectangleEdge yEdge = plot.getRangeAxisEdge();
            double x0 = domainAxis.valueToJava2D(d.getStartXValue(series, item), dataArea, xEdge);
            double x1 = domainAxis.valueToJava2D(d.getEndXValue(series, item), dataArea, xEdge);
            double y0 = rangeAxis.valueToJava2D(d.getStartYValue(series, item), dataArea, yEdge);
            double y1 = rangeAxis.valueToJava2D(d.getEndYValue(series, item), dataArea, yEdge);
            // rounded outward to whole pixels, so that neighbouring cells share their edge
            double left = Math.floor(Math.min(x0, x1));
            double top = Math.floor(Math.min(y0, y1));
            Rectangle2D cell = new Rectangle2D.Double(left, top, Math.ceil(Math.max(x0, x1)) - left,
                    Math.ceil(Math.max(y0, y1)) - top);
            g2.setPaint(paints.get(item));
            g2.fill(cell);
        }
    }
}
