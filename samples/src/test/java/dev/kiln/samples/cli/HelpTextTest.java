package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/** Every command's help, and a usage error's, formats without picocli warnings. */
class HelpTextTest {
  @Test
  void helpAndUsageErrorsFormatWithoutWarnings() {
    for (String command : new String[] {"train", "evaluate", "predict", "schedule", "generate"}) {
      CliRun help = CliRun.of(command, "--help");
      assertThat(help.status()).isEqualTo(0);
      assertThat(help.all()).doesNotContain("picocli WARN");
    }
    CliRun help = CliRun.of("train", "--help");
    assertThat(help.out()).contains("90%");
    assertThat(help.out()).doesNotContain("%%");
    CliRun usage = CliRun.of("train", "--no-such-option");
    assertThat(usage.status()).isEqualTo(2);
    assertThat(usage.all()).doesNotContain("picocli WARN");
  }
}
