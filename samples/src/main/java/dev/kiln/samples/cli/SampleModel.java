package dev.kiln.samples.cli;

import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.FitOptions;
import dev.kiln.runtime.train.FitResult;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.train.TrainingListener;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.samples.CharGptNetwork;
import dev.kiln.samples.CharGptTrainingTrainer;
import dev.kiln.samples.FashionCnnNetwork;
import dev.kiln.samples.FashionCnnTrainingTrainer;
import dev.kiln.samples.FashionMlpNetwork;
import dev.kiln.samples.FashionTrainingTrainer;
import dev.kiln.samples.PrunedFashionTrainingTrainer;
import dev.kiln.samples.StudentMlpNetwork;
import dev.kiln.samples.StudentTrainingTrainer;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The model and training-configuration pairs the command line can train, chosen with {@code
 * --model}. Each makes a fresh seeded network and its generated trainer. To add one, annotate a
 * {@code @Model} and a {@code @TrainingConfig} in {@code dev.kiln.samples} and add a constant
 * here.
 */
enum SampleModel {
  /** {@code FashionMlp} trained as {@code FashionTraining}: 784-256-BN-ReLU-256-BN-ReLU-10. */
  FASHION_MLP("fashion-mlp", "FashionMlp / FashionTraining", FashionTrainingTrainer.SEED,
      seed -> {
        FashionTrainingTrainer t = new FashionTrainingTrainer(FashionMlpNetwork.initialize(seed));
        return new Run(t, t::fit, t::evaluate);
      }),
  /** {@code FashionMlp} pruned to 90% global sparsity as {@code PrunedFashionTraining}. */
  FASHION_MLP_PRUNED("fashion-mlp-pruned", "FashionMlp / PrunedFashionTraining",
      PrunedFashionTrainingTrainer.SEED, seed -> {
        PrunedFashionTrainingTrainer t =
            new PrunedFashionTrainingTrainer(FashionMlpNetwork.initialize(seed));
        return new Run(t, t::fit, t::evaluate);
      }),
  /**
   * {@code FashionCnn} trained as {@code FashionCnnTraining}: two conv-BN-ReLU-max-pool blocks (32
   * and 64 filters), Dense(128)-ReLU-Dropout(0.25), Dense(10); Adam with cosine decay.
   */
  CNN("cnn", "FashionCnn / FashionCnnTraining", FashionCnnTrainingTrainer.SEED, seed -> {
    FashionCnnTrainingTrainer t = new FashionCnnTrainingTrainer(FashionCnnNetwork.initialize(seed));
    return new Run(t, t::fit, t::evaluate);
  }),
  /** {@code StudentMlp} (784-64-ReLU-10) trained on the labels as {@code StudentTraining}. */
  STUDENT("student", "StudentMlp / StudentTraining", StudentTrainingTrainer.SEED, seed -> {
    StudentTrainingTrainer t = new StudentTrainingTrainer(StudentMlpNetwork.initialize(seed));
    return new Run(t, t::fit, t::evaluate);
  }),
  /**
   * {@code CharGpt} trained as {@code CharGptTraining}: a character-level GPT (4 pre-LayerNorm
   * blocks, 4 heads, width 128, context 64) on a text, nanoGPT's CPU run; a token model, trained
   * by {@link GptRun} (no dataset: {@code fit} and {@code evaluate} are null).
   */
  GPT("gpt", "CharGpt / CharGptTraining", CharGptTrainingTrainer.SEED, seed ->
      new Run(new CharGptTrainingTrainer(CharGptNetwork.initialize(seed)), null, null));

  /** A generated trainer with its {@code fit} and {@code evaluate}, which the interface lacks. */
  record Run(Trainer trainer, Fit fit, Evaluate evaluate) {}

  /** A generated trainer's {@code fit(train, validation, options, listeners...)}. */
  interface Fit {
    FitResult fit(Dataset train, Dataset validation, FitOptions options,
        TrainingListener... listeners);
  }

  /** A generated trainer's {@code evaluate(data)}. */
  interface Evaluate {
    Evaluation evaluate(Dataset data);
  }

  private final String id;
  private final String title;
  private final long defaultSeed;
  private final LongFunction<Run> factory;

  SampleModel(String id, String title, long defaultSeed, LongFunction<Run> factory) {
    this.id = id;
    this.title = title;
    this.defaultSeed = defaultSeed;
    this.factory = factory;
  }

  /** The name {@code --model} takes. */
  String id() {
    return id;
  }

  /** The model and configuration classes, for messages. */
  String title() {
    return title;
  }

  /** Whether this is a token model (trained on a text by {@link GptRun}, not on a dataset). */
  boolean tokens() {
    return this == GPT;
  }

  /** The configuration's seed. */
  long defaultSeed() {
    return defaultSeed;
  }

  /** A trainer of a network initialised with {@code seed}. */
  Run newRun(long seed) {
    return factory.apply(seed);
  }

  /**
   * The pair named {@code id}.
   *
   * @throws IllegalArgumentException naming the known ids
   */
  static SampleModel byId(String id) {
    for (SampleModel m : values()) {
      if (m.id.equals(id)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown model '" + id + "'; known: " + ids());
  }

  /** The known ids. */
  static List<String> ids() {
    return Arrays.stream(values()).map(SampleModel::id).toList();
  }

  /** For picocli's completion candidates: the ids. */
  static final class Ids implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return ids().iterator();
    }
  }
}
