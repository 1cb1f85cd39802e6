package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@link Layer} field: the layer's trainable parameters (weight, bias, batch-norm gamma and
 * beta) are never updated and stay bitwise unchanged: no optimizer step, no regularization, no
 * weight decay, no momentum or moment buffers; their gradients are left out of clipping and of
 * {@code lastGradientNorm()}. Gradients still flow through the layer to the layers before it.
 *
 * <p>Batch-norm running statistics keep updating in training mode, as PyTorch does for a module
 * whose parameters have {@code requires_grad=False} (Keras's {@code trainable=False} also freezes
 * them). PyTorch: {@code layer.requires_grad_(False)}; DL4J: {@code FrozenLayer}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Frozen {}
