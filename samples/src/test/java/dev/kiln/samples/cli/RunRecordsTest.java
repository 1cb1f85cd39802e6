package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, items 1 to 4 and 16: a run's folder and its records (metrics.csv, checkpoints,
 * options) survive reuse, interruption and failed or mismatched resumes.
 */
class RunRecordsTest {
  @TempDir Path dir;

  private static List<CSVRecord> metrics(Path run) throws IOException {
    try (Reader in = Files.newBufferedReader(run.resolve("metrics.csv"));
        CSVParser csv = CSVParser.parse(in, CSVFormat.DEFAULT.builder().setHeader()
            .setSkipHeaderRecord(true).get())) {
      return csv.getRecords();
    }
  }

  private static List<Long> steps(List<CSVRecord> rows) {
    List<Long> s = new ArrayList<>();
    for (CSVRecord r : rows) {
      if (r.get("kind").equals("step")) {
        s.add(Long.parseLong(r.get("step")));
      }
    }
    return s;
  }

  private static List<Path> checkpoints(Path run) throws IOException {
    try (Stream<Path> files = Files.list(run.resolve("checkpoints"))) {
      return files.sorted().toList();
    }
  }

  /** Item 1: a folder holding a run is refused without --resume; --overwrite empties it. */
  @Test
  void aFolderHoldingARunIsRefusedUnlessResumedOrOverwritten() throws IOException {
    Path run = dir.resolve("ext");
    assertThat(CliRun.of("train", "--embedded", "--epochs", "2", "--out", run.toString())
        .status()).isEqualTo(0);
    byte[] before = Files.readAllBytes(run.resolve("metrics.csv"));
    List<Path> checkpointsBefore = checkpoints(run);

    CliRun again = CliRun.of("train", "--embedded", "--epochs", "1", "--out", run.toString());
    assertThat(again.status()).isEqualTo(2);
    assertThat(again.err()).contains("--out " + run + " already holds a run");
    assertThat(again.err()).contains("add --resume to continue it, --overwrite to replace it");
    assertThat(again.out()).doesNotContain("Data:"); // refused before the data was read
    assertThat(Files.readAllBytes(run.resolve("metrics.csv"))).isEqualTo(before);
    assertThat(checkpoints(run)).isEqualTo(checkpointsBefore);

    CliRun overwrite = CliRun.of("train", "--embedded", "--epochs", "1", "--overwrite",
        "--out", run.toString());
    assertThat(overwrite.status()).isEqualTo(0);
    assertThat(metrics(run)).hasSize(48); // one epoch of 47 steps, nothing of the old run
    assertThat(checkpoints(run)).hasSize(1);
    assertThat(checkpoints(run).get(0).getFileName().toString())
        .isEqualTo("checkpoint-000000000047.kiln");
  }

  /**
   * Item 2: a failed resume changes nothing on disk; a resume cuts metrics.csv back to the
   * checkpoint and continues it, so the record holds every step once; temporary files of an
   * interrupted checkpoint write are removed. Item 16: checkpoints follow the umask.
   */
  @Test
  void resumeKeepsTheHistoryAndAFailedResumeChangesNothing() throws IOException {
    Path run = dir.resolve("run");
    assertThat(CliRun.of("train", "--embedded", "--epochs", "1", "--checkpoint-every", "20",
        "--out", run.toString()).status()).isEqualTo(0);
    // An interruption in epoch 2, after the checkpoint of step 60 and a few more steps: the
    // newest checkpoint is step 60, metrics.csv holds steps past it, a write was cut short.
    assertThat(CliRun.of("train", "--embedded", "--epochs", "2", "--checkpoint-every", "20",
        "--resume", "--out", run.toString()).status()).isEqualTo(0);
    Path newest = run.resolve("checkpoints/checkpoint-000000000094.kiln");
    Files.delete(newest);
    Files.delete(run.resolve("checkpoints/checkpoint-000000000080.kiln"));
    Path stale = run.resolve("checkpoints/.checkpoint-000000000080.kiln.12345.tmp");
    Files.write(stale, new byte[100]);

    // A corrupt newest checkpoint: the resume fails and changes nothing.
    Path corrupt = run.resolve("checkpoints/checkpoint-000000000090.kiln");
    Files.write(corrupt, new byte[] {1, 2, 3});
    byte[] before = Files.readAllBytes(run.resolve("metrics.csv"));
    CliRun failed = CliRun.of("train", "--embedded", "--epochs", "2", "--resume", "--out",
        run.toString());
    assertThat(failed.status()).isEqualTo(1);
    assertThat(failed.err()).contains("checkpoint-000000000090.kiln");
    assertThat(Files.readAllBytes(run.resolve("metrics.csv"))).isEqualTo(before);

    Files.delete(corrupt);
    CliRun resumed = CliRun.of("train", "--embedded", "--epochs", "2", "--resume", "--out",
        run.toString());
    assertThat(resumed.status()).isEqualTo(0);
    List<CSVRecord> rows = metrics(run);
    List<Long> expected = new ArrayList<>();
    for (long s = 1; s <= 94; s++) {
      expected.add(s);
    }
    assertThat(steps(rows)).isEqualTo(expected); // every step once, from the first run on
    assertThat(rows.stream().filter(r -> r.get("kind").equals("epoch")).map(r -> r.get("epoch"))
        .toList()).containsExactly("1", "2").inOrder();
    assertThat(Files.exists(stale)).isFalse();
    // Resumed once: the message is printed once.
    assertThat(resumed.all().split("Resuming from", -1)).hasLength(2);

    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(run.resolve("checkpoint.kiln"));
    Set<PosixFilePermission> plain = Files.getPosixFilePermissions(run.resolve("metrics.csv"));
    assertThat(mode).isEqualTo(plain); // the user's umask, as for any other file
  }

  /** Item 3: --resume with other options is refused, naming them; left out, the run's are used. */
  @Test
  void resumeWithChangedOptionsIsRefusedNamingThem() throws IOException {
    Path run = dir.resolve("run");
    assertThat(CliRun.of("train", "--embedded", "--epochs", "1", "--batch-size", "100",
        "--out", run.toString()).status()).isEqualTo(0);
    byte[] before = Files.readAllBytes(run.resolve("metrics.csv"));
    CliRun changed = CliRun.of("train", "--embedded", "--resume", "--batch-size", "64",
        "--learning-rate", "0.5", "--seed", "9", "--out", run.toString());
    assertThat(changed.status()).isEqualTo(2);
    assertThat(changed.err()).contains("--batch-size 64 (the run used --batch-size 100)");
    assertThat(changed.err()).contains("--learning-rate 0.5 (the run used the default)");
    assertThat(changed.err()).contains("--seed 9 (the run used --seed 42)");
    assertThat(Files.readAllBytes(run.resolve("metrics.csv"))).isEqualTo(before);

    CliRun same = CliRun.of("train", "--resume", "--epochs", "2", "--out", run.toString());
    assertThat(same.status()).isEqualTo(0);
    assertThat(same.out()).contains("Continuing the run with its options:");
    assertThat(same.out()).contains("--batch-size 100");
    assertThat(same.out()).contains("batch 100");
    assertThat(steps(metrics(run))).hasSize(2 * 60); // 6,000 / 100 steps per epoch
  }

  /** Item 4: options are checked before the data loads, and a refused run leaves no folder. */
  @Test
  void refusedCommandsCreateNoFolderAndCheckOptionsFirst() {
    Path run = dir.resolve("never");
    CliRun epochs = CliRun.of("train", "--embedded", "--epochs", "0", "--out", run.toString());
    assertThat(epochs.status()).isEqualTo(2);
    assertThat(epochs.err()).contains("--epochs 0: a run needs at least 1 epoch");
    assertThat(epochs.out()).doesNotContain("Data:");
    CliRun batch = CliRun.of("train", "--embedded", "--batch-size", "7", "--out",
        run.toString());
    assertThat(batch.status()).isEqualTo(2);
    assertThat(batch.err()).contains("add --drop-last to skip that batch");
    assertThat(batch.err()).doesNotContain("FitOptions");
    assertThat(Files.exists(run)).isFalse();
  }
}
