package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;

/** GPT runs' plots are labelled in iterations, evaluations and nats per character. */
class PlotAxesTest {
  private static final List<MetricsRecorder.EpochRow> ROWS = List.of(
      new MetricsRecorder.EpochRow(1, 2, 1.0, Double.NaN, 0.9, 0.5));

  @Test
  void gptPlotsNameIterationsAndNatsPerCharacter() {
    double[] steps = {1, 2};
    double[] losses = {1.2, 1.1};
    XYChart loss = Plots.lossChart(steps, losses, ROWS, 0, true);
    assertThat(loss.getXAxisTitle()).isEqualTo("iteration");
    assertThat(loss.getYAxisTitle()).isEqualTo("loss (nats per character)");
    XYChart accuracy = Plots.accuracyChart(ROWS, 0, true);
    assertThat(accuracy.getXAxisTitle()).isEqualTo("evaluation");
    XYChart mlp = Plots.lossChart(steps, losses, ROWS, 0, false);
    assertThat(mlp.getXAxisTitle()).isEqualTo("step");
    assertThat(mlp.getYAxisTitle()).isEqualTo("loss (mean per sample)");
    assertThat(Plots.accuracyChart(ROWS, 0, false).getXAxisTitle()).isEqualTo("epoch");
  }

  @Test
  void longRunsAreLabelledOnRoundStepsFromZero() {
    assertThat(Plots.roundStep(37.5)).isEqualTo(50.0);
    assertThat(Plots.roundStep(250)).isEqualTo(500.0);
    assertThat(Plots.roundStep(0.15)).isWithin(1e-12).of(0.2);
    assertThat(Plots.roundStep(100)).isEqualTo(100.0);
    double[] steps = new double[300];
    double[] losses = new double[300];
    for (int i = 0; i < steps.length; i++) {
      steps[i] = i + 1;
      losses[i] = 2;
    }
    XYChart loss = Plots.lossChart(steps, losses, ROWS, 0, true);
    var label = loss.getStyler().getxAxisTickLabelsFormattingFunction();
    assertThat(loss.getStyler().getXAxisMin()).isEqualTo(0.0);
    assertThat(label.apply(0.0)).isEqualTo("0");
    assertThat(label.apply(150.0)).isEqualTo("150");
    assertThat(label.apply(10.0)).isEmpty(); // XChart's own ticks are 10 apart here
    assertThat(label.apply(101.0)).isEmpty();
  }

  @Test
  void smallLearningRatesAreDrawnInAPowerOfTenNamedInTheTitle() {
    double[] steps = {1, 2, 3};
    XYChart small = Plots.learningRateChart("rate", steps, new double[] {1e-5, 1e-3, 1e-4});
    assertThat(small.getYAxisTitle()).isEqualTo("learning rate (× 1e-3)");
    assertThat(small.getSeriesMap().get("learning rate").getYData()[1]).isWithin(1e-12).of(1.0);
    XYChart large = Plots.learningRateChart("rate", steps, new double[] {0.1, 0.5, 0.2});
    assertThat(large.getYAxisTitle()).isEqualTo("learning rate");
    assertThat(large.getSeriesMap().get("learning rate").getYData()[1]).isEqualTo(0.5);
  }
}
