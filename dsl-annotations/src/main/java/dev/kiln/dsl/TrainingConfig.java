package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares how a {@link Model} is trained; put it on an interface (or class) together with one
 * optimizer annotation such as {@link Sgd}, and optionally a schedule ({@link CosineDecay}),
 * clipping ({@link ClipGradNorm}) and regularization ({@link L2}).
 *
 * <p>Kiln generates {@code <Name>Trainer} in the same package. One training step runs, in this
 * order: forward and loss, backward, clipping, regularization gradients, the optimizer update with
 * the scheduled rate, then the step counter increments.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface TrainingConfig {
  /** The {@link Model} type to train. */
  Class<?> model();

  /** The loss applied to the model's last layer. */
  Loss loss();

  /** Largest mini-batch, in samples; every buffer is sized for it. At least 1. */
  int batchSize();

  /** Passes over the training data that {@code fit} makes. At least 1. */
  int epochs();

  /** Seed of shuffling and dropout masks. Default 0. */
  long seed() default 0;

  /**
   * Whether the labels are multi-label (several classes may be 1 in one row), allowing {@link
   * Loss#SIGMOID_BINARY_CROSS_ENTROPY} with more than one output. Default false. PyTorch: {@code
   * BCEWithLogitsLoss} on a {@code [batch, classes]} target; Keras: {@code BinaryCrossentropy} with
   * several sigmoid outputs.
   */
  boolean multiLabel() default false;

  /**
   * Label smoothing {@code ε} for {@link Loss#SOFTMAX_CROSS_ENTROPY}, in [0, 1); default 0
   * (PyTorch's {@code label_smoothing}, Keras's {@code label_smoothing}).
   */
  double labelSmoothing() default 0.0;

  /**
   * Gradient accumulation: the gradients of this many consecutive batches are averaged and one
   * optimizer step is taken on the average; at least 1, default 1 (a step per batch). Schedules
   * and {@code iteration()} count optimizer steps. Keras 3: the optimizer's {@code
   * gradient_accumulation_steps}; PyTorch: {@code loss / k} with {@code optimizer.step()} every
   * {@code k} batches.
   */
  int accumulationSteps() default 1;

  /**
   * What a step does with a NaN or infinite gradient when no clipping annotation says it; default
   * {@link NonFinitePolicy#ERROR}. Write it here or on {@link ClipGradNorm}/{@link ClipGradValue},
   * not both.
   */
  NonFinitePolicy onNonFinite() default NonFinitePolicy.ERROR;
}
