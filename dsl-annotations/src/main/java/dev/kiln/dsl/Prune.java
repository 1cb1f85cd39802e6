package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gradual magnitude pruning of the dense weights during training, on the schedule of Zhu and
 * Gupta (2017), "To prune, or not to prune" (arXiv:1710.01878):
 *
 * <pre>
 *   s_t = s_f + (s_i − s_f)·(1 − (t − beginStep)/(endStep − beginStep))³
 * </pre>
 *
 * <p>Masks are recomputed every {@code frequency} optimizer steps from {@code beginStep} to {@code
 * endStep} (and at {@code endStep}), pruning {@code round(s_t·n)} weights (or units) of smallest
 * magnitude, counted with Python's round-half-to-even as PyTorch does; from {@code endStep} on the
 * sparsity stays {@code finalSparsity} and training goes on with the masks fixed. Pruned weights
 * are exactly zero after every step: their gradients are masked before clipping (PyTorch's
 * {@code weight = weight_orig·mask}), the masks are re-applied after each optimizer update, and
 * the optimizer's buffers for them (momentum, Adam's moments) are zeroed. Only dense weights are
 * pruned: biases and batch-norm parameters never are, and neither are {@link Frozen} layers.
 *
 * <p><b>On the training configuration</b> it turns pruning on and sets the schedule: {@code
 * finalSparsity} and {@code endStep} are required, or instead of the steps the fractions of the
 * planned run {@code beginFraction} and {@code endFraction} ({@code @Prune(finalSparsity = 0.9,
 * beginFraction = 0.1, endFraction = 0.7)}), which {@code fit} turns into steps when it knows the
 * run's length, so the schedule scales with the data and the epochs. <b>On a {@link Layer} field</b> of the model it
 * adjusts that layer: {@code @Prune(exclude = true)} leaves the layer unpruned, and {@code
 * @Prune(finalSparsity = x)} gives it its own target (with {@code scope = PER_LAYER}); other
 * members are not allowed there. Field annotations do nothing for a configuration without
 * {@code @Prune}, so one model can be trained with and without pruning.
 *
 * <p>Equivalents: TensorFlow Model Optimization's {@code prune_low_magnitude} with {@code
 * PolynomialDecay(initial_sparsity, final_sparsity, begin_step, end_step, power=3, frequency)};
 * PyTorch's {@code torch.nn.utils.prune} applied by hand at those steps. The trainer reports
 * {@code sparsity()} per layer and {@code overallSparsity()}, and saves the masks in checkpoints.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.FIELD})
public @interface Prune {
  /** The value of a sparsity or step left out. */
  int UNSET = -1;

  /**
   * {@code s_f}: the fraction of weights (of units for {@link PruneStructure#NEURONS}) pruned
   * from {@code endStep} on, in [0, 1) and at least {@code initialSparsity}. Required on the
   * training configuration; on a layer field, that layer's own target (needs {@link
   * PruneScope#PER_LAYER}). TF-MOT: {@code final_sparsity}; PyTorch: {@code amount}.
   */
  double finalSparsity() default UNSET;

  /**
   * {@code s_i}: the fraction pruned at {@code beginStep}, in [0, 1); default 0. Configuration
   * only. TF-MOT: {@code initial_sparsity}.
   */
  double initialSparsity() default 0;

  /**
   * {@code t0}: the optimizer step (from 0, as {@code iteration()}) of the first mask update; at
   * least 0, default 0. Configuration only. TF-MOT: {@code begin_step}.
   */
  int beginStep() default 0;

  /**
   * The optimizer step at which {@code finalSparsity} is reached; at least {@code beginStep}
   * (equal: one-shot pruning at that step). Required on the configuration unless {@link
   * #endFraction} is given instead; leave room after it
   * for the network to recover (Zhu and Gupta end well before training does). TF-MOT: {@code
   * end_step}.
   */
  int endStep() default UNSET;

  /**
   * Where pruning begins as a fraction of the planned run, in [0, 1]: the schedule's {@code
   * beginStep} becomes {@code round(beginFraction·(totalSteps − 1))} when {@code fit} (or {@code
   * planRun}) knows the run's {@code totalSteps} optimizer steps, as the {@link Steps#AUTO}
   * schedules do. Default 0 with {@link #endFraction}. Give the schedule in fractions or in steps
   * ({@code beginStep}, {@code endStep}), not both. Configuration only. TF-MOT has no equivalent
   * (its {@code begin_step} is absolute).
   */
  double beginFraction() default UNSET;

  /**
   * Where {@code finalSparsity} is reached as a fraction of the planned run, in [{@code
   * beginFraction}, 1]: {@code endStep = round(endFraction·(totalSteps − 1))}, so 1 is the run's
   * last step. With it the schedule scales with the run: the same configuration prunes a short
   * run (a data subset, fewer epochs) and a long one. Instead of {@code endStep}; configuration
   * only.
   */
  double endFraction() default UNSET;

  /**
   * {@code Δt}: optimizer steps between mask updates; at least 1, default 100 (TF-MOT's default).
   * Configuration only. TF-MOT: {@code frequency}.
   */
  int frequency() default 100;

  /** Which weights are ranked together; default {@link PruneScope#GLOBAL}. Configuration only. */
  PruneScope scope() default PruneScope.GLOBAL;

  /** Single weights or whole units; default {@link PruneStructure#UNSTRUCTURED}. Configuration only. */
  PruneStructure structure() default PruneStructure.UNSTRUCTURED;

  /** On a layer field: true leaves that layer unpruned. Default false. Field only. */
  boolean exclude() default false;
}
