package dev.kiln.spark;

import static com.google.common.truth.Truth.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The spark-train sample end to end on the embedded Fashion-MNIST subset, local[2]. */
class SparkTrainCliTest {
  @Test
  void trainsTheReferenceNetworkOnTwoLocalWorkers() {
    StringWriter text = new StringWriter();
    int status = SparkTrainCli.execute(new PrintWriter(text, true), "--embedded", "--workers",
        "2", "--epochs", "1", "--batch-size", "64", "--average-every", "23");
    String out = text.toString();
    assertThat(status).isEqualTo(0);
    assertThat(out).contains("Data: the Fashion-MNIST subset embedded in kiln-samples.jar (6000"
        + " training, 1000 test rows)");
    assertThat(out).contains("Spark 3.5");
    // 6,000 rows / 2 workers / 64 rows = 46 steps per epoch: 2 rounds of 23.
    assertThat(out).containsMatch("epoch 1: loss [0-9.]+, test accuracy 0\\.[5-9][0-9]+, [0-9]+"
        + " samples/s, 2 rounds");
    assertThat(out).contains("Done: 2 rounds of k = 23");
  }

  @Test
  void aClassThatIsNoTrainerIsAClearError() {
    StringWriter text = new StringWriter();
    int status = SparkTrainCli.execute(new PrintWriter(text, true), "--embedded", "--trainer",
        "java.lang.String");
    assertThat(status).isEqualTo(1);
  }
}
