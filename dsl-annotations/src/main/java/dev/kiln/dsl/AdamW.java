package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * AdamW (Loshchilov and Hutter, 2019), exactly PyTorch 1.13's {@code torch.optim.AdamW}: first
 * {@code w ← w·(1 − lr(t)·weightDecay)} with the plain scheduled rate (no bias correction), then
 * the {@link Adam} update with the gradient alone. It is {@link Adam} with {@link WeightDecay}:
 * like every decoupled decay in Kiln it applies to weights only unless a {@code
 * @WeightDecay(applyTo = ALL)} says otherwise (PyTorch decays every parameter of the group; for
 * that write {@code @AdamW} without {@code weightDecay} and {@code @WeightDecay(value = 0.01,
 * applyTo = ApplyTo.ALL)}). Keras: {@code AdamW(weight_decay)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface AdamW {
  /** The base learning rate {@code lr0}, positive and finite; a schedule scales it per step. */
  double learningRate() default 1e-3;

  /** Decay of the first moment {@code β₁}, in [0, 1). Default 0.9. */
  double beta1() default 0.9;

  /** Decay of the second moment {@code β₂}, in [0, 1). Default 0.999. */
  double beta2() default 0.999;

  /** Added to the denominator for stability; positive and finite. Default 1e-8. */
  double epsilon() default 1e-8;

  /**
   * The decoupled decay {@code λ}, per unit of learning rate; finite and at least 0. Default 0.01
   * (PyTorch's). A {@link WeightDecay} beside it replaces it; writing a nonzero value here as well
   * is an error.
   */
  double weightDecay() default 0.01;

  /** The AMSGrad variant; keeps {@code max_exp_avg_sq}. Default false. */
  boolean amsgrad() default false;
}
