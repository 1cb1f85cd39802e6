package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Layer normalisation over the feature axis (Ba et al., 2016), as PyTorch's {@code
 * nn.LayerNorm(D, eps)}: every position of {@code [T, D]} (or a {@code [features]} vector) is
 * normalised with its own mean and biased variance, then scaled by {@code gamma} and shifted by
 * {@code beta} ({@code <field>.gamma}, {@code <field>.beta}, never regularized or decayed).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface LayerNorm {
  /** Added to the variance inside the square root; positive. PyTorch's default 1e-5. */
  double epsilon() default 1e-5;
}
