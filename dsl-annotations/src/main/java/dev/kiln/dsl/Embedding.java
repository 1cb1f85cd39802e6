package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A token embedding: token ids {@code [T]} become rows of a learned table {@code [vocabulary,
 * value]}, giving {@code [T, value]}; PyTorch {@code nn.Embedding(vocabulary, value)}. The first
 * layer of a token model ({@code @Model(vocabulary = V, context = T)}). Its table is named {@code
 * <field>.weight} and counts as a weight for regularization and weight decay.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Embedding {
  /** The embedding width {@code D}, at least 1. */
  int value();
}
