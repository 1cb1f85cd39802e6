package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Adam (Kingma and Ba, 2015), exactly PyTorch 1.13's {@code torch.optim.Adam}: with gradient
 * {@code g} (clipped and regularized) and step {@code k} counted from 1, {@code m = β₁·m +
 * (1-β₁)·g}, {@code v = β₂·v + (1-β₂)·g²}, then {@code w -= lr/(1-β₁ᵏ) · m / (sqrt(v)/sqrt(1-β₂ᵏ) +
 * ε)} — ε is added after bias-correcting {@code sqrt(v)}. With {@code amsgrad} the running maximum
 * of {@code v} replaces {@code v} in the denominator (Reddi et al., 2018).
 *
 * <p>PyTorch's {@code weight_decay} on Adam is coupled L2: write {@link L2}. For decoupled decay
 * write {@link WeightDecay} or use {@link AdamW}. Keras's {@code Adam} puts ε outside the
 * bias correction ({@code epsilon_hat}); its default {@code epsilon=1e-7} is not PyTorch's 1e-8.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Adam {
  /** The base learning rate {@code lr0}, positive and finite; a schedule scales it per step. */
  double learningRate() default 1e-3;

  /** Decay of the first moment {@code β₁}, in [0, 1). Default 0.9 (PyTorch's {@code betas[0]}). */
  double beta1() default 0.9;

  /** Decay of the second moment {@code β₂}, in [0, 1). Default 0.999 ({@code betas[1]}). */
  double beta2() default 0.999;

  /** Added to the denominator for stability; positive and finite. Default 1e-8 (PyTorch's). */
  double epsilon() default 1e-8;

  /** The AMSGrad variant; keeps {@code max_exp_avg_sq}. Default false. */
  boolean amsgrad() default false;
}
