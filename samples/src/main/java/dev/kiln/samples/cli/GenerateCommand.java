package dev.kiln.samples.cli;

import dev.kiln.runtime.data.CharVocabulary;
import dev.kiln.samples.CharGpt;
import dev.kiln.samples.CharGptNetwork;
import dev.kiln.samples.CharGptTrainingTrainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code generate}: text sampled from a {@link CharGpt} checkpoint written by {@code train --model
 * gpt}, as nanoGPT's {@code sample.py}: the prompt's characters, then {@code --tokens} characters
 * drawn one at a time by the generated network's {@code generate} (temperature, top-k, seeded; the
 * same seed gives the same text). The characters are the run's own, read from the checkpoint
 * ({@link CharVocabulary#from}), never recomputed from a text. An id the run's text never had
 * (possible only when it had fewer than {@value CharGpt#VOCABULARY} characters; training drives
 * its probability towards zero) prints as U+FFFD.
 */
@Command(name = "generate", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Print text sampled from a character GPT trained with train --model gpt:"
        + " the prompt, then --tokens characters drawn one at a time."})
final class GenerateCommand implements Callable<Integer> {
  /** nanoGPT's {@code sample.py}: 500 new tokens, temperature 0.8, seed 1337, start "\n". */
  static final String PROMPT = "\n";

  /** The most characters one command samples (the text is held in memory before printing). */
  static final int MAX_TOKENS = 1_000_000;

  @Spec CommandSpec spec;

  @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "A"
      + " checkpoint of train --model gpt (its checkpoint.kiln, or one under checkpoints/); it"
      + " carries the run's characters.")
  Path checkpoint;

  @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = PROMPT, description = "The"
      + " text to continue, in the run's characters (default: a newline, as nanoGPT's"
      + " sample.py).")
  String prompt;

  @Option(names = "--tokens", paramLabel = "N", defaultValue = "500", description = "Characters"
      + " to sample, at most 1000000 (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8", description = "Divides"
      + " the logits: below 1 more conservative, above 1 more varied, 0 always the most likely"
      + " character (default: ${DEFAULT-VALUE}).")
  double temperature;

  @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample among"
      + " the K most likely characters only; 0 for all (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1337", description = "Seeds the"
      + " sampling: the same seed, checkpoint and options print the same text (default:"
      + " ${DEFAULT-VALUE}).")
  long seed;

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  @Override
  public Integer call() throws Exception {
    PrintStream console = System.out;
    checkOptions();
    if (!Files.isRegularFile(checkpoint)) {
      throw usage("--checkpoint " + checkpoint + ": no such file; give the checkpoint.kiln that"
          + " train --model gpt wrote into its --out folder (for example runs/<date-time>/"
          + "checkpoint.kiln)");
    }
    CharGptTrainingTrainer trainer = new CharGptTrainingTrainer(CharGptNetwork.initialize(0));
    try {
      trainer.restore(checkpoint);
    } catch (dev.kiln.runtime.checkpoint.CheckpointException e) {
      if (e.getMessage() != null && e.getMessage().contains("written for another model")) {
        throw usage("--checkpoint " + checkpoint + " is not a checkpoint of train --model gpt"
            + " (it was written for another model); give the checkpoint.kiln of a --model gpt"
            + " run");
      }
      throw e;
    }
    CharVocabulary characters = CharVocabulary.from(trainer.trainingState()).orElseThrow(
        () -> usage("--checkpoint " + checkpoint + " carries no characters: it was not written"
            + " by train --model gpt, so the ids cannot be read as text"));
    int[] ids;
    try {
      ids = characters.encode(prompt);
    } catch (IllegalArgumentException e) {
      throw usage((prompt.equals(PROMPT) ? "the default prompt (a newline): " : "--prompt: ")
          + e.getMessage() + " of the run; give --prompt in the characters it was trained on: "
          + characters);
    }
    int[] text = trainer.network().generate(ids, tokens, temperature, topK, seed);
    console.print(decode(characters, text));
    console.println();
    console.flush();
    return 0;
  }

  /** Refuses option values {@code generate} would, naming the option, before any file is read. */
  private void checkOptions() {
    if (prompt.isEmpty()) {
      throw usage("--prompt: give at least one character to continue (the default is a"
          + " newline)");
    }
    if (tokens < 0 || tokens > MAX_TOKENS) {
      throw usage("--tokens " + tokens + ": expected a count of characters from 0 to "
          + MAX_TOKENS);
    }
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw usage(String.format(Locale.ROOT, "--temperature %s: expected a finite number >= 0"
          + " (0 always picks the most likely character)", temperature));
    }
    if (topK < 0 || topK > CharGpt.VOCABULARY) {
      throw usage("--top-k " + topK + ": expected 0 (all characters) to "
          + CharGpt.VOCABULARY);
    }
  }

  /** The characters of {@code ids}; an id beyond the run's characters as U+FFFD. */
  static String decode(CharVocabulary characters, int[] ids) {
    StringBuilder s = new StringBuilder(ids.length);
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < characters.size()) {
        s.append(characters.decode(ids, i, 1));
      } else {
        s.append('\uFFFD');
      }
    }
    return s.toString();
  }
}
