package dev.kiln.samples.cli;

import static com.google.common.truth.Truth.assertThat;

import dev.kiln.runtime.data.CharVocabulary;
import dev.kiln.samples.CharGpt;
import dev.kiln.samples.CharGptNetwork;
import dev.kiln.samples.CharGptTrainingTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate}: prints the prompt and the characters the checkpoint's network samples, read
 * with the characters the checkpoint carries (here deliberately not Tiny Shakespeare's); the same
 * seed prints the same text, another seed other text, temperature 0 the greedy text; bad options,
 * a missing file, a checkpoint without characters and a prompt outside them are usage errors.
 */
class GenerateCliTest {
  @TempDir Path dir;

  /** 65 characters that are not Tiny Shakespeare's: Greek and Cyrillic capitals and digits. */
  private static CharVocabulary characters() {
    int[] points = new int[CharGpt.VOCABULARY];
    for (int i = 0; i < points.length; i++) {
      points[i] = i < 10 ? '0' + i : i < 35 ? 0x391 + (i - 10) : 0x410 + (i - 35);
    }
    return CharVocabulary.of(points);
  }

  private Path checkpoint(boolean withCharacters) throws IOException {
    CharGptTrainingTrainer trainer = new CharGptTrainingTrainer(CharGptNetwork.initialize(5));
    if (withCharacters) {
      characters().attachTo(trainer.trainingState());
    }
    Path file = dir.resolve(withCharacters ? "checkpoint.kiln" : "bare.kiln");
    trainer.save(file);
    return file;
  }

  private static String expected(Path file, String prompt, int tokens, double temperature,
      int topK, long seed) throws IOException {
    CharGptTrainingTrainer trainer = new CharGptTrainingTrainer(CharGptNetwork.initialize(0));
    trainer.restore(file);
    CharVocabulary characters = characters();
    int[] ids = trainer.network().generate(characters.encode(prompt), tokens, temperature, topK,
        seed);
    return characters.decode(ids, 0, ids.length);
  }

  @Test
  void printsTheSampledTextInTheCheckpointsCharacters() throws IOException {
    Path file = checkpoint(true);
    CliRun run = CliRun.of("generate", "--checkpoint", file.toString(), "--prompt", "ΑΒ12",
        "--tokens", "80", "--temperature", "0.9", "--top-k", "10", "--seed", "7");
    assertThat(run.status()).isEqualTo(0);
    String text = run.out().strip();
    assertThat(text).isEqualTo(expected(file, "ΑΒ12", 80, 0.9, 10, 7));
    assertThat(text.codePointCount(0, text.length())).isEqualTo(84);
    assertThat(text).startsWith("ΑΒ12");
    assertThat(characters().covers(text)).isTrue();
    CliRun again = CliRun.of("generate", "--checkpoint", file.toString(), "--prompt", "ΑΒ12",
        "--tokens", "80", "--temperature", "0.9", "--top-k", "10", "--seed", "7");
    assertThat(again.out()).isEqualTo(run.out());
    CliRun other = CliRun.of("generate", "--checkpoint", file.toString(), "--prompt", "ΑΒ12",
        "--tokens", "80", "--temperature", "0.9", "--top-k", "10", "--seed", "8");
    assertThat(other.out()).isNotEqualTo(run.out());
    CliRun greedy = CliRun.of("generate", "--checkpoint", file.toString(), "--prompt", "Д",
        "--tokens", "70", "--temperature", "0");
    assertThat(greedy.out().strip()).isEqualTo(expected(file, "Д", 70, 0, 0, 1));
  }

  @Test
  void badOptionsAndFilesAreUsageErrors() throws IOException {
    Path file = checkpoint(true);
    CliRun missing = CliRun.of("generate", "--checkpoint", dir.resolve("none.kiln").toString());
    assertThat(missing.status()).isEqualTo(2);
    assertThat(missing.err()).contains("no such file");
    CliRun bare = CliRun.of("generate", "--checkpoint", checkpoint(false).toString());
    assertThat(bare.status()).isEqualTo(2);
    assertThat(bare.err()).contains("carries no characters");
    CliRun prompt = CliRun.of("generate", "--checkpoint", file.toString(), "--prompt", "ROMEO");
    assertThat(prompt.status()).isEqualTo(2);
    assertThat(prompt.err()).contains("'R'");
    assertThat(prompt.err()).contains("65 characters");
    CliRun topK = CliRun.of("generate", "--checkpoint", file.toString(), "--top-k", "66");
    assertThat(topK.status()).isEqualTo(2);
    assertThat(topK.err()).contains("--top-k 66: expected 0 (all characters) to 65");
    CliRun temperature = CliRun.of("generate", "--checkpoint", file.toString(),
        "--temperature", "-1");
    assertThat(temperature.status()).isEqualTo(2);
    assertThat(temperature.err()).contains("--temperature -1.0");
    CliRun tokens = CliRun.of("generate", "--checkpoint", file.toString(), "--tokens", "-3");
    assertThat(tokens.status()).isEqualTo(2);
    assertThat(tokens.err()).contains("--tokens -3");
    CliRun huge = CliRun.of("generate", "--checkpoint", file.toString(), "--tokens",
        "2147483600");
    assertThat(huge.status()).isEqualTo(2);
    assertThat(huge.err()).contains("--tokens 2147483600: expected a count of characters from 0");
    // These characters have no newline: the default prompt is named, its character shown as a
    // code, not as a raw line break.
    CliRun defaultPrompt = CliRun.of("generate", "--checkpoint", file.toString());
    assertThat(defaultPrompt.status()).isEqualTo(2);
    assertThat(defaultPrompt.err()).contains("the default prompt (a newline): character U+000A");
    assertThat(CliRun.of("generate").err()).contains("--checkpoint");
    assertThat(Files.exists(dir.resolve("none.kiln"))).isFalse();
  }
}
