package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Inverted dropout (Srivastava et al., 2014), the layer's last part: in training each element is
 * zeroed with probability {@code rate} and the survivors are scaled by {@code 1 / (1 - rate)}; in
 * inference it is the identity. Masks are drawn from the trainer's seed. PyTorch: {@code
 * nn.Dropout(p=rate)}; Keras: {@code Dropout(rate)}. (DL4J's {@code dropOut(x)} takes the
 * probability to <em>keep</em>: DL4J's 0.8 is Kiln's 0.2.)
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Dropout {
  /** Probability of dropping each element, in [0, 1). */
  double value();
}
