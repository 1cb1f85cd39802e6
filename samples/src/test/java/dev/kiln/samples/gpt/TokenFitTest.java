package dev.kiln.samples.gpt;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.checkpoint.Checkpointing;
import dev.kiln.runtime.data.CharCorpus;
import dev.kiln.runtime.data.CharVocabulary;
import dev.kiln.runtime.data.TokenBatches;
import dev.kiln.runtime.train.EpochResult;
import dev.kiln.runtime.train.FitOptions;
import dev.kiln.runtime.train.FitResult;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.TokenValidation;
import dev.kiln.runtime.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's {@code fit} for token models ({@code TokenTraining}) through a generated GPT
 * trainer: random windows of a corpus, the validation loss per interval, listeners, checkpoints
 * and an exact resume, and the vocabulary carried by the checkpoints.
 */
class TokenFitTest {
  private static final int T = TinyGpt.CONTEXT;
  private static final int INTERVAL = 20;

  @TempDir Path dir;

  private static TokenValidation validation(CharCorpus corpus, TinyGptNetwork network) {
    TinyGptNetwork.EvalBuffers buffers = network.evalBuffers(8);
    return new TokenValidation(corpus.validation(), 4, 8, T, TinyGpt.VOCABULARY, 0,
        (ids, n, t, logits) -> network.forwardEval(ids, n, t, logits, buffers));
  }

  /** Records every step's loss and the intervals' results. */
  private static final class Record implements TrainingListener {
    final List<Float> losses = new ArrayList<>();
    final List<Long> steps = new ArrayList<>();
    final List<EpochResult> intervals = new ArrayList<>();
    long failAt = -1;

    @Override
    public void onStep(Trainer trainer, long iteration, int epoch, float loss) {
      losses.add(loss);
      steps.add(iteration);
      if (iteration == failAt) {
        throw new IllegalStateException("interrupted at step " + iteration);
      }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
      intervals.add(result);
    }
  }

  @Test
  void fitTrainsOnRandomWindowsAndEstimatesTheValidationLossPerInterval() {
    CharCorpus corpus = Corpora.corpus();
    Configs_TinyGptTrainingTrainer trainer =
        new Configs_TinyGptTrainingTrainer(TinyGptNetwork.initialize(1));
    TokenValidation validation = validation(corpus, trainer.network());
    Record record = new Record();
    FitResult result = trainer.fit(new TokenBatches(corpus.train(), 8, T, INTERVAL, 7),
        validation, FitOptions.builder().logging(null).build(), record);

    assertThat(result.epochs()).hasSize(3); // the configuration's epochs = intervals
    assertThat(trainer.iteration()).isEqualTo(3 * INTERVAL);
    assertThat(record.losses).hasSize(3 * INTERVAL);
    double first = result.epochs().get(0).validation().loss();
    double last = result.epochs().get(2).validation().loss();
    assertThat(first).isLessThan(Math.log(TinyGpt.VOCABULARY));
    assertThat(last).isLessThan(first - 0.3);
    assertThat(result.epochs().get(2).validation().accuracy()).isGreaterThan(0.3);
    assertThat(result.epochs().get(2).validation().samples()).isEqualTo(4 * 8);
    assertThat(result.epochs().get(2).trainAccuracy()).isNaN();
    // the same windows at every estimate: the last one again gives the same figure
    assertThat(validation.run().loss()).isEqualTo(last);
  }

  @Test
  void anInterruptedRunResumesFromItsCheckpointWithTheSameLosses() throws Exception {
    CharCorpus corpus = Corpora.corpus();
    CharVocabulary characters = corpus.characters();
    Record straight = new Record();
    Configs_TinyGptTrainingTrainer a =
        new Configs_TinyGptTrainingTrainer(TinyGptNetwork.initialize(2));
    FitResult whole = a.fit(new TokenBatches(corpus.train(), 8, T, INTERVAL, 7),
        validation(corpus, a.network()), options(dir.resolve("a"), false), straight);

    Configs_TinyGptTrainingTrainer b =
        new Configs_TinyGptTrainingTrainer(TinyGptNetwork.initialize(2));
    characters.attachTo(b.trainingState());
    Record crashed = new Record();
    crashed.failAt = 31; // after the checkpoints of steps 20 (interval end) and 28
    assertThrows(IllegalStateException.class, () -> b.fit(
        new TokenBatches(corpus.train(), 8, T, INTERVAL, 7), validation(corpus, b.network()),
        options(dir.resolve("b"), false), crashed));

    // a fresh process: another initialisation, resumed from the newest checkpoint
    Configs_TinyGptTrainingTrainer c =
        new Configs_TinyGptTrainingTrainer(TinyGptNetwork.initialize(77));
    Record resumed = new Record();
    FitResult rest = c.fit(new TokenBatches(corpus.train(), 8, T, INTERVAL, 7),
        validation(corpus, c.network()), options(dir.resolve("b"), true), resumed);

    assertThat(resumed.steps.get(0)).isEqualTo(29L);
    assertThat(resumed.losses).isEqualTo(straight.losses.subList(28, 3 * INTERVAL));
    assertThat(rest.epochs().get(rest.epochs().size() - 1).validation().loss())
        .isEqualTo(whole.epochs().get(2).validation().loss());
    assertThat(c.network().headWeight.array()).isEqualTo(a.network().headWeight.array());
    // the vocabulary came back with the checkpoint
    assertThat(CharVocabulary.from(c.trainingState())).hasValue(characters);
    Path file = dir.resolve("final.kiln");
    c.save(file);
    Configs_TinyGptTrainingTrainer d =
        new Configs_TinyGptTrainingTrainer(TinyGptNetwork.initialize(3));
    assertThat(CharVocabulary.from(d.trainingState())).isEmpty();
    d.restore(file);
    assertThat(CharVocabulary.from(d.trainingState()).orElseThrow()
        .decode(characters.encode("the cat.\n"), 0, 9)).isEqualTo("the cat.\n");
  }

  private static FitOptions options(Path checkpoints, boolean resume) {
    return FitOptions.builder().logging(null)
        .checkpointing(new Checkpointing(checkpoints, 7, true, 10, resume)).build();
  }

  @Test
  void windowsOfAnotherLengthOrALargerBatchAreRefusedBeforeTheFirstStep() {
    CharCorpus corpus = Corpora.corpus();
    Configs_TinyGptTrainingTrainer trainer =
        new Configs_TinyGptTrainingTrainer(TinyGptNetwork.initialize(1));
    IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
        () -> trainer.fit(new TokenBatches(corpus.train(), 8, T - 1, 5, 7), null, null));
    assertThat(shorter).hasMessageThat().contains("context " + T);
    IllegalArgumentException larger = assertThrows(IllegalArgumentException.class,
        () -> trainer.fit(new TokenBatches(corpus.train(), 9, T, 5, 7), null, null));
    assertThat(larger).hasMessageThat().contains("BATCH_SIZE 8");
    assertThat(trainer.iteration()).isEqualTo(0);
  }
}
