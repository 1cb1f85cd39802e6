package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors that name the real requirement, checked before any data is read. */
class UsageMessagesTest {
  @TempDir Path dir;

  @Test
  void gptIterationsAreCheckedBeforeTheTextAndNameTheWarmUp() {
    Path missing = dir.resolve("no-such-text.txt");
    CliRun zero = CliRun.of("train", "--model", "gpt", "--iterations", "0", "--out",
        dir.resolve("run").toString());
    assertThat(zero.status()).isEqualTo(2);
    assertThat(zero.err()).contains("at least 101");
    // --iterations 100 is refused by the schedule before the (missing) text is read
    CliRun hundred = CliRun.of("train", "--model", "gpt", "--iterations", "100", "--text",
        missing.toString(), "--out", dir.resolve("run").toString());
    assertThat(hundred.status()).isEqualTo(2);
    assertThat(hundred.err()).contains("@Warmup lasts 100 steps");
  }

  @Test
  void generateWithACheckpointOfAnotherModelIsAUsageError() throws IOException {
    Path run = dir.resolve("mlp");
    assertThat(CliRun.of("train", "--embedded", "--epochs", "1", "--out", run.toString())
        .status()).isEqualTo(0);
    CliRun generate = CliRun.of("generate", "--checkpoint",
        run.resolve("checkpoint.kiln").toString());
    assertThat(generate.status()).isEqualTo(2);
    assertThat(generate.err()).contains("is not a checkpoint of train --model gpt");
  }
}
