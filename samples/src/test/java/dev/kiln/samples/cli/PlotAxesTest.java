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
}
