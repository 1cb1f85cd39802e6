package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A learned position embedding added to a sequence {@code [T, D]}: {@code x[t] += P[t]} with
 * {@code P [context, D]} (GPT-2's {@code wpe}), named {@code <field>.positions}; a weight for
 * regularization and weight decay. Usually beside {@link Embedding} on the first layer.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface PositionEmbedding {}
