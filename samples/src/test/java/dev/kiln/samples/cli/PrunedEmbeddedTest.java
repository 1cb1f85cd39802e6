package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, item 13: the pruned sample's schedule is in fractions of the run, so it prunes the
 * command line's embedded subset too (with steps fixed to the full data's numbers the subset never
 * reached the first pruning step and reported sparsity 0.000 for every epoch).
 */
class PrunedEmbeddedTest {
  @TempDir Path dir;

  @Test
  void thePrunedModelPrunesTheEmbeddedSubset() {
    CliRun r = CliRun.of("train", "--embedded", "--model", "fashion-mlp-pruned", "--epochs", "3",
        "--out", dir.resolve("pruned").toString());
    assertThat(r.status()).isEqualTo(0);
    Matcher m = Pattern.compile("sparsity (\\d\\.\\d{3})").matcher(r.out());
    List<Double> sparsity = m.results().map(x -> Double.parseDouble(x.group(1))).toList();
    assertThat(sparsity).hasSize(3);
    // 3 epochs of the subset (141 steps): pruning runs from 10% to 70% of the run (steps 14 to
    // 98; with masks updated every 100 steps, at those two), so the run ends at 0.9
    assertThat(sparsity.get(2)).isWithin(1e-3).of(0.9);
    assertThat(r.all()).doesNotContain("never starts");
  }
}
