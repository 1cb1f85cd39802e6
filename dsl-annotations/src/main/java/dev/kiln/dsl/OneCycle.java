package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The 1cycle policy (Smith and Topin, 2018), exactly PyTorch's {@code OneCycleLR(max_lr,
 * total_steps, pct_start, anneal_strategy, div_factor, final_div_factor, cycle_momentum,
 * base_momentum, max_momentum, three_phase=False)}. It owns the rate: leave the optimizer's {@code
 * learningRate} out ({@code @OneCycle(maxLearningRate = 0.1) @Sgd(momentum = 0.9)}); one that is
 * written and differs from {@code maxLearningRate} is not used and is a compile warning, {@code
 * [KilnOneCycleRate]} (PyTorch, too, replaces the optimizer's {@code lr}).
 *
 * <p>With {@code init = maxLearningRate/divFactor}, {@code min = init/finalDivFactor} and {@code e1
 * = pctStart·totalSteps - 1}: for {@code t ≤ e1} the rate anneals from {@code init} to {@code
 * maxLearningRate} with {@code pct = t/e1}; after, from {@code maxLearningRate} to {@code min} with
 * {@code pct = (t - e1)/(totalSteps - 1 - e1)}. So {@code lr(e1) = maxLearningRate} and {@code
 * lr(totalSteps - 1) = min}; Kiln holds {@code min} after that (PyTorch raises). With {@code
 * cycleMomentum} the SGD momentum is annealed the opposite way with the same {@code pct}: {@code
 * maxMomentum → baseMomentum → maxMomentum}, set before each update (needs {@code @Sgd} with a
 * momentum above 0, whose value it then replaces).
 *
 * <p>Counted in optimizer steps only; a {@link Warmup} is not combined with it (its first phase is
 * the warm-up). Keras has no built-in equivalent.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface OneCycle {
  /** The peak rate ({@code max_lr}); positive and finite. */
  double maxLearningRate();

  /**
   * Length of the cycle in optimizer steps ({@code total_steps}); at least 2, or {@link Steps#AUTO}
   * (the default): the whole run ({@code epochs × steps_per_epoch}, as PyTorch computes it).
   */
  int totalSteps() default Steps.AUTO;

  /** Fraction of the cycle spent raising the rate ({@code pct_start}), in (0, 1); default 0.3. */
  double pctStart() default 0.3;

  /** How the rate moves ({@code anneal_strategy}); default {@link Annealing#COSINE}. */
  Annealing annealing() default Annealing.COSINE;

  /** {@code init = maxLearningRate/divFactor} ({@code div_factor}); at least 1; default 25. */
  double divFactor() default 25.0;

  /** {@code min = init/finalDivFactor} ({@code final_div_factor}); at least 1; default 1e4. */
  double finalDivFactor() default 1e4;

  /** Whether the SGD momentum is cycled inversely to the rate; default true (as PyTorch). */
  boolean cycleMomentum() default true;

  /** The momentum at the peak rate ({@code base_momentum}); in [0, maxMomentum]; default 0.85. */
  double baseMomentum() default 0.85;

  /** The momentum at the ends ({@code max_momentum}); in [baseMomentum, 1); default 0.95. */
  double maxMomentum() default 0.95;
}
