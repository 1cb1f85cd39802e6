package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a sub-network: its {@link Layer} fields and fields of other {@code @Block} types, in
 * declaration order, as a {@link Model}'s. A field of a block type in a model (or another block)
 * is one instance of the block; {@link Residual} makes it {@code x + block(x)} and {@link Repeat}
 * stacks copies with their own parameters. Parameter names follow the fields: {@code
 * blocks.2.attention.attention.query.weight}.
 *
 * <p>PyTorch equivalent: an {@code nn.Module} used as a submodule.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Block {}
