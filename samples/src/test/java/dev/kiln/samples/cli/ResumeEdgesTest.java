package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming at the edges of a run: a run that is already complete is left exactly as it is (no
 * redrawn plots, no rewritten records), with a message saying how to extend it.
 */
class ResumeEdgesTest {
  @TempDir Path dir;

  /** Every file under {@code run}, relative name to its bytes. */
  static Map<String, byte[]> snapshot(Path run) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(run)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        files.put(run.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  static void assertUnchanged(Map<String, byte[]> before, Path run) throws IOException {
    Map<String, byte[]> after = snapshot(run);
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (String name : before.keySet()) {
      assertWithMessage(name).that(after.get(name)).isEqualTo(before.get(name));
    }
  }

  @Test
  void resumingACompleteRunChangesNothing() throws IOException {
    Path run = dir.resolve("run");
    assertThat(CliRun.of("train", "--embedded", "--epochs", "1", "--out", run.toString())
        .status()).isEqualTo(0);
    Map<String, byte[]> before = snapshot(run);
    CliRun again = CliRun.of("train", "--resume", "--out", run.toString());
    assertThat(again.status()).isEqualTo(0);
    assertThat(again.out()).contains("is already complete");
    assertThat(again.out()).contains("--epochs 2");
    assertThat(again.all()).doesNotContain("error");
    assertUnchanged(before, run);
  }

  @Test
  void resumeKeepsTheRunsCheckpointOptions() throws IOException {
    Path run = dir.resolve("run");
    assertThat(CliRun.of("train", "--embedded", "--epochs", "1", "--checkpoint-every", "20",
        "--keep-checkpoints", "5", "--out", run.toString()).status()).isEqualTo(0);
    String options = Files.readString(run.resolve("options.properties"));
    assertThat(options).contains("--checkpoint-every=20");
    assertThat(options).contains("--keep-checkpoints=5");
    assertThat(CliRun.of("train", "--resume", "--epochs", "2", "--out", run.toString())
        .status()).isEqualTo(0);
    List<String> names;
    try (Stream<Path> files = Files.list(run.resolve("checkpoints"))) {
      names = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    // 47 steps per epoch: every 20 steps and at epoch ends, the newest 5 kept
    assertThat(names).containsExactly("checkpoint-000000000040.kiln",
        "checkpoint-000000000047.kiln", "checkpoint-000000000060.kiln",
        "checkpoint-000000000080.kiln", "checkpoint-000000000094.kiln").inOrder();
  }
}
