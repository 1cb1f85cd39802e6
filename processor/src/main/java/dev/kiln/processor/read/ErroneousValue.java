package dev.kiln.processor.read;

/**
 * Thrown by {@link Mirrors} for a member value the compiler could not make sense of: missing,
 * unresolved ({@code Sizes.HIDEN}, {@code Loss.NOPE}), of the wrong type or not a constant. The
 * compiler reports each of these itself (javac and ECJ alike, though they hand the processor
 * different placeholders: javac's string {@code "<error>"}, ECJ's null or a value of another
 * type), so the processor adds no message of its own and generates nothing for the type: one
 * mistake, one error. Raised, never recovered from within a type.
 */
public final class ErroneousValue extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ErroneousValue(String annotation, String member, Object found) {
    super("@" + annotation + "(" + member + "): the compiler gave " + found, null, false, false);
  }
}
