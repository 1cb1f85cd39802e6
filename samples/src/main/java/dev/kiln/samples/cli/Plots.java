package dev.kiln.samples.cli;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The run's charts as PNG files, drawn with XChart. Axes of whole numbers (steps, epochs) are
 * labelled with whole numbers only, so a short run does not repeat or crowd its labels.
 */
final class Plots {
  static final int WIDTH = 900;
  static final int HEIGHT = 540;
  /** The colour of the marker of the restored best epoch. */
  static final Color BEST = new Color(214, 39, 40);

  private Plots() {}

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /**
   * {@code loss.png}: each step's training loss, the per-epoch mean training loss and the
   * validation loss, against the step; with {@code bestEpoch > 0} (early stopping restored it),
   * that epoch's validation loss is marked.
   */
  static void loss(Path file, double[] steps, double[] stepLoss,
      List<MetricsRecorder.EpochRow> epochs, int bestEpoch) throws IOException {
    save(lossChart(steps, stepLoss, epochs, bestEpoch, false), file);
  }

  /**
   * The chart of {@link #loss}; with {@code tokens} (a {@code --model gpt} run) the axes read
   * "iteration" and "loss (nats per character)" and the epoch series "evaluation".
   */
  static XYChart lossChart(double[] steps, double[] stepLoss,
      List<MetricsRecorder.EpochRow> epochs, int bestEpoch, boolean tokens) {
    XYChart chart = xy("Loss", tokens ? "iteration" : "step", tokens
        ? "loss (nats per character)" : "loss (mean per sample)", steps.length == 0 ? 1
        : steps[steps.length - 1]);
    if (steps.length > 0) {
      XYSeries s = chart.addSeries("step loss (train mode)", steps, stepLoss);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(new Color(120, 160, 220));
      s.setLineWidth(1f);
    }
    if (!epochs.isEmpty()) {
      double[] x = column(epochs, r -> r.step());
      chart.addSeries(tokens ? "interval train loss" : "epoch train loss", x,
          column(epochs, r -> r.trainLoss()));
      if (!Double.isNaN(epochs.get(0).validationLoss())) {
        chart.addSeries("validation loss", x, column(epochs, r -> r.validationLoss()));
        mark(chart, epochs, bestEpoch, r -> r.step(), r -> r.validationLoss());
      }
    }
    return chart;
  }

  /** {@code accuracy.png}: training and validation accuracy per epoch, the best epoch marked. */
  static void accuracy(Path file, List<MetricsRecorder.EpochRow> epochs, int bestEpoch)
      throws IOException {
    save(accuracyChart(epochs, bestEpoch, false), file);
  }

  /** The chart of {@link #accuracy}; with {@code tokens} the x axis reads "evaluation". */
  static XYChart accuracyChart(List<MetricsRecorder.EpochRow> epochs, int bestEpoch,
      boolean tokens) {
    XYChart chart = xy("Accuracy", tokens ? "evaluation" : "epoch", tokens
        ? "next-character accuracy" : "accuracy", epochs.isEmpty() ? 1
        : epochs.get(epochs.size() - 1).epoch());
    chart.getStyler().setYAxisDecimalPattern("0.000");
    double[] x = column(epochs, r -> r.epoch());
    if (!epochs.isEmpty() && !Double.isNaN(epochs.get(0).trainAccuracy())) {
      chart.addSeries("train (running, train mode)", x, column(epochs, r -> r.trainAccuracy()));
    }
    if (!epochs.isEmpty() && !Double.isNaN(epochs.get(0).validationAccuracy())) {
      chart.addSeries("validation", x, column(epochs, r -> r.validationAccuracy()));
      mark(chart, epochs, bestEpoch, r -> r.epoch(), r -> r.validationAccuracy());
    }
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    return chart;
  }

  /** One marked point: the epoch early stopping restored. */
  private static void mark(XYChart chart, List<MetricsRecorder.EpochRow> epochs, int bestEpoch,
      ToDoubleFunction<MetricsRecorder.EpochRow> x, ToDoubleFunction<MetricsRecorder.EpochRow> y) {
    for (MetricsRecorder.EpochRow r : epochs) {
      if (r.epoch() == bestEpoch) {
        XYSeries s = chart.addSeries("restored best epoch " + bestEpoch,
            new double[] {x.applyAsDouble(r)}, new double[] {y.applyAsDouble(r)});
        s.setMarker(SeriesMarkers.DIAMOND);
        s.setMarkerColor(BEST);
        s.setLineColor(BEST);
        s.setLineStyle(new java.awt.BasicStroke(0f));
      }
    }
  }

  /**
   * {@code learning-rate.png}: the rate of each step, from 0. Rates below 0.1 are drawn in units of
   * a power of ten named in the axis title ("learning rate (× 1e-3)"): XChart's ticks for values
   * near 1e-3 fell at uneven places and their labels overlapped ("0.00085" over "0.00084").
   */
  static void learningRate(Path file, String title, double[] steps, double[] rates)
      throws IOException {
    save(learningRateChart(title, steps, rates), file);
  }

  /** The chart of {@link #learningRate}. */
  static XYChart learningRateChart(String title, double[] steps, double[] rates) {
    double max = 0;
    for (double r : rates) {
      max = Double.isFinite(r) ? Math.max(max, r) : max;
    }
    int exponent = max > 0 && max < 0.1 ? (int) Math.floor(Math.log10(max)) : 0;
    double unit = Math.pow(10, exponent);
    double[] scaled = new double[rates.length];
    for (int i = 0; i < rates.length; i++) {
      scaled[i] = rates[i] / unit;
    }
    XYChart chart = xy(title, "step", exponent == 0 ? "learning rate"
        : "learning rate (× 1e" + exponent + ")", steps.length == 0 ? 1 : steps[steps.length - 1]);
    XYSeries s = chart.addSeries("learning rate", steps, scaled);
    s.setMarker(SeriesMarkers.NONE);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisDecimalPattern("0.##");
    return chart;
  }

  /**
   * {@code confusion-matrix.png}: a heat map of {@code counts[actual][predicted]} with the
   * counts written in the cells (dark text on a light scale, readable on every cell) and a
   * colour bar of whole counts.
   */
  static void confusionMatrix(Path file, String title, int[][] counts, List<String> classes)
      throws IOException {
    int k = counts.length;
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH + 100).height(HEIGHT + 260)
        .title(title).xAxisTitle("predicted class").yAxisTitle("actual class").build();
    var styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setShowValue(true);
    styler.setLegendPosition(Styler.LegendPosition.OutsideE);
    // The darkest colour stays light enough for black digits (contrast at least 4.5:1).
    styler.setRangeColors(CELL_COLOURS);
    styler.setValueFontColor(Color.BLACK);
    styler.setValueFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    styler.setHeatMapValueDecimalPattern("#,##0");
    styler.setHeatMapDecimalValueFormatter(v -> String.format(Locale.ROOT, "%,d",
        Math.round(v)));
    // A banded colour bar: XChart writes its gradient bar's ends as raw doubles ("982.0"); the
    // bands use the formatter, so the bar shows whole counts ("0 - 196").
    styler.setPiecewise(true);
    styler.setPiecewiseRanged(true);
    styler.setSplitNumber(5);
    styler.setXAxisLabelRotation(30);
    List<String> x = new ArrayList<>(classes.subList(0, Math.min(k, classes.size())));
    for (int c = x.size(); c < k; c++) {
      x.add(String.valueOf(c));
    }
    List<String> y = new ArrayList<>(x);
    List<Number[]> cells = new ArrayList<>();
    for (int a = 0; a < k; a++) {
      for (int p = 0; p < k; p++) {
        // y runs bottom-up: put actual class 0 at the top, as a printed confusion matrix
        cells.add(new Number[] {p, k - 1 - a, counts[a][p]});
      }
    }
    java.util.Collections.reverse(y);
    chart.addSeries("count", x, y, cells);
    save(chart, file);
  }

  /** The heat map's scale, white to a mid blue. */
  static final Color[] CELL_COLOURS = {new Color(247, 251, 255), new Color(198, 219, 239),
      new Color(107, 174, 214)};

  /** An XY chart whose x axis runs over whole numbers 0 or 1 to {@code lastX}. */
  private static XYChart xy(String title, String xTitle, String yTitle, double lastX) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    var styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setLegendPosition(Styler.LegendPosition.InsideNE);
    styler.setMarkerSize(6);
    styler.setXAxisTickMarkSpacingHint(90);
    if (lastX <= 20) {
      // A short run: one label per whole number that holds data (XChart's own ticks would fall
      // between steps or epochs, and a whole-number pattern would then repeat labels).
      styler.setxAxisTickLabelsFormattingFunction(v -> Math.abs(v - Math.rint(v)) < 1e-9
          ? String.format(Locale.ROOT, "%,d", Math.round(v)) : "");
    } else {
      // From 0, labels on multiples of a round step only (1, 2 or 5 times a power of ten, at most
      // 8 labels): XChart's own ticks for 300 steps are 10 apart, and their labels ran together.
      styler.setXAxisMin(0.0);
      double step = roundStep(lastX / 8);
      styler.setxAxisTickLabelsFormattingFunction(v -> Math.abs(v / step - Math.rint(v / step))
          < 1e-6 ? String.format(Locale.ROOT, "%,d", Math.round(v)) : "");
    }
    return chart;
  }

  /** The smallest of 1, 2 and 5 times a power of ten that is at least {@code atLeast} (> 0). */
  static double roundStep(double atLeast) {
    double power = Math.pow(10, Math.floor(Math.log10(atLeast)));
    for (double f : new double[] {1, 2, 5, 10}) {
      if (f * power >= atLeast * (1 - 1e-12)) {
        return f * power;
      }
    }
    return 10 * power;
  }

  static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file)
      throws IOException {
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
  }

  private static double[] column(List<MetricsRecorder.EpochRow> epochs,
      ToDoubleFunction<MetricsRecorder.EpochRow> f) {
    return epochs.stream().mapToDouble(f).toArray();
  }
}
