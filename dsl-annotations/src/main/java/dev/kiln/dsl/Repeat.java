package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a field of a {@link Block} type: {@code value} copies of the block one after the other, each
 * with its own parameters, named with their index ({@code blocks.0.…}, {@code blocks.1.…}), as an
 * {@code nn.ModuleList}. With {@link Residual}, each copy is residual.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Repeat {
  /** The number of copies, at least 1. */
  int value();
}
