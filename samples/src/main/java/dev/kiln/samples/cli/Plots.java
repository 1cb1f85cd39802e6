package dev.kiln.samples.cli;

import dev.kiln.runtime.train.EpochResult;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The run's charts as PNG files, drawn with XChart. */
final class Plots {
  static final int WIDTH = 900;
  static final int HEIGHT = 540;

  private Plots() {}

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /**
   * {@code loss.png}: each step's training loss, the per-epoch mean training loss and the
   * validation loss, against the step.
   */
  static void loss(Path file, double[] steps, double[] stepLoss, List<EpochResult> epochs,
      long[] epochEndSteps) throws IOException {
    XYChart chart = xy("Loss", "step", "loss (mean per sample)");
    XYSeries s = chart.addSeries("step loss (train mode)", steps, stepLoss);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(new Color(120, 160, 220));
    s.setLineWidth(1f);
    double[] x = toDouble(epochEndSteps);
    chart.addSeries("epoch train loss", x, column(epochs, r -> r.trainLoss()));
    if (epochs.get(0).validation() != null) {
      chart.addSeries("validation loss", x, column(epochs, r -> r.validation().loss()));
    }
    save(chart, file);
  }

  /** {@code accuracy.png}: training and validation accuracy per epoch. */
  static void accuracy(Path file, List<EpochResult> epochs) throws IOException {
    XYChart chart = xy("Accuracy", "epoch", "accuracy");
    double[] x = column(epochs, r -> r.epoch());
    if (!Double.isNaN(epochs.get(0).trainAccuracy())) {
      chart.addSeries("train (running, train mode)", x, column(epochs, r -> r.trainAccuracy()));
    }
    if (epochs.get(0).validation() != null) {
      chart.addSeries("validation", x, column(epochs, r -> r.validation().accuracy()));
    }
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    save(chart, file);
  }

  /** {@code learning-rate.png}: the rate of each step. */
  static void learningRate(Path file, String title, double[] steps, double[] rates)
      throws IOException {
    XYChart chart = xy(title, "step", "learning rate");
    XYSeries s = chart.addSeries("learning rate", steps, rates);
    s.setMarker(SeriesMarkers.NONE);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisDecimalPattern("0.#####");
    save(chart, file);
  }

  /**
   * {@code confusion-matrix.png}: a heat map of {@code counts[actual][predicted]} with the
   * counts written in the cells.
   */
  static void confusionMatrix(Path file, String title, int[][] counts, List<String> classes)
      throws IOException {
    int k = counts.length;
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH + 100).height(HEIGHT + 260)
        .title(title).xAxisTitle("predicted class").yAxisTitle("actual class").build();
    Styler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setShowValue(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setRangeColors(new Color[] {new Color(247, 251, 255),
        new Color(107, 174, 214), new Color(8, 48, 107)});
    chart.getStyler().setValueFontColor(new Color(200, 60, 0));
    chart.getStyler().setXAxisLabelRotation(30);
    List<String> x = new ArrayList<>(classes);
    List<String> y = new ArrayList<>(classes);
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

  private static XYChart xy(String title, String xTitle, String yTitle) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setMarkerSize(6);
    chart.getStyler().setXAxisDecimalPattern("0");
    chart.getStyler().setXAxisMaxLabelCount(10);
    return chart;
  }

  private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file)
      throws IOException {
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
  }

  private static double[] column(List<EpochResult> epochs,
      java.util.function.ToDoubleFunction<EpochResult> f) {
    return epochs.stream().mapToDouble(f).toArray();
  }

  private static double[] toDouble(long[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
