package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18, item 15: the progress bar on a narrow terminal, and the plots. */
class PresentationTest {
  @TempDir Path dir;

  /** A terminal of {@code width} columns that keeps what is drawn on it. */
  static final class Terminal implements ProgressBarConsumer {
    final int width;
    final List<String> lines = new ArrayList<>();

    Terminal(int width) {
      this.width = width;
    }

    @Override
    public int getMaxRenderedLength() {
      return width;
    }

    @Override
    public void accept(String rendered) {
      lines.add(rendered);
    }

    @Override
    public void close() {}
  }

  @Test
  void onASeventyColumnTerminalTheBarKeepsItsWidthAndTheThroughputIsWhole() {
    ProgressListener listener = new ProgressListener(new PrintStream(new ByteArrayOutputStream(),
        true, StandardCharsets.UTF_8), true, 128);
    Terminal terminal = new Terminal(70);
    ProgressBar bar = listener.bar(terminal, 3, 10, 469);
    bar.stepTo(200);
    bar.setExtraMessage(listener.message(0.45678, 0.0976, 17_520));
    bar.close();
    String last = terminal.lines.get(terminal.lines.size() - 1).replaceAll("\u001b\\[[0-9;]*m",
        "").replace("\r", "");
    assertThat(last.length()).isAtMost(70);
    assertThat(last).contains("17.5k/s");
    // the bar itself (block characters and spaces between the brackets) keeps 10+ columns
    int open = last.indexOf('│') >= 0 ? last.indexOf('│') : last.indexOf('[');
    int close = last.lastIndexOf('│') > open ? last.lastIndexOf('│') : last.lastIndexOf(']');
    assertThat(close - open).isAtLeast(10);
  }

  @Test
  void theRestoredBestEpochIsMarkedAndTheConfusionMatrixIsReadable() throws IOException {
    List<MetricsRecorder.EpochRow> epochs = List.of(
        new MetricsRecorder.EpochRow(1, 10, 0.9, 0.7, 0.8, 0.72),
        new MetricsRecorder.EpochRow(2, 20, 0.6, 0.8, 0.5, 0.81),
        new MetricsRecorder.EpochRow(3, 30, 0.5, 0.85, 0.6, 0.80));
    Path accuracy = dir.resolve("accuracy.png");
    Plots.accuracy(accuracy, epochs, 2);
    assertThat(countColour(ImageIO.read(accuracy.toFile()), Plots.BEST)).isGreaterThan(20);
    Path none = dir.resolve("none.png");
    Plots.accuracy(none, epochs, 0);
    assertThat(countColour(ImageIO.read(none.toFile()), Plots.BEST)).isEqualTo(0);

    // Black digits need a light cell: the darkest colour of the scale keeps a contrast of 4.5.
    Color darkest = Plots.CELL_COLOURS[Plots.CELL_COLOURS.length - 1];
    assertThat(contrast(darkest, Color.BLACK)).isAtLeast(4.5);
  }

  private static int countColour(BufferedImage image, Color c) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) {
          n++;
        }
      }
    }
    return n;
  }

  /** WCAG contrast ratio. */
  private static double contrast(Color a, Color b) {
    double la = luminance(a);
    double lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  private static double luminance(Color c) {
    double[] v = {c.getRed() / 255.0, c.getGreen() / 255.0, c.getBlue() / 255.0};
    for (int i = 0; i < 3; i++) {
      v[i] = v[i] <= 0.03928 ? v[i] / 12.92 : Math.pow((v[i] + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
}
