package pyalloc.report.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The SVG a chart is drawn into: well-formed XML, its text as text, its numbers short. */
final class SvgGraphicsTest {

    @Test
    void aChartIsWellFormedSvgWithItsTextAsText() throws Exception {
        XYSeries s = new XYSeries("live data & <more>");
        for (int i = 0; i < 50; i++) {
            s.add(i, i * i);
        }
        JFreeChart chart = new JFreeChart("title \"quoted\"", new XYPlot(new XYSeriesCollection(s),
                new NumberAxis("time (ms)"), new NumberAxis("MiB"), new XYLineAndShapeRenderer(true, false)));
        String svg = SvgGraphics.draw(chart, 600, 400, "t", "a chart");
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", d.getDocumentElement().getTagName());
        String text = d.getDocumentElement().getTextContent();
        // (the vertical axis label comes as glyph outlines: JFreeChart draws rotated text through a TextLayout)
        for (String t : new String[] {"title \"quoted\"", "live data & <more>", "time (ms)"}) {
            assertTrue(text.contains(t), t);
        }
        assertTrue(svg.contains("clip-path=\"url(#t-clip"), "clip ids carry the prefix");
    }

    @Test
    void numbersHaveAtMostTwoDecimalsAndNoTrailingZeros() {
        assertEquals("0", SvgGraphics.num(0.001));
        assertEquals("1.5", SvgGraphics.num(1.5));
        assertEquals("1.05", SvgGraphics.num(1.049999));
        assertEquals("-0.5", SvgGraphics.num(-0.5));
        assertEquals("-12", SvgGraphics.num(-12.0));
        assertEquals("1200", SvgGraphics.num(1200));
    }
}
