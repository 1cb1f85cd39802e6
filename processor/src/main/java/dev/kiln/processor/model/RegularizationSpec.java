package dev.kiln.processor.model;

/**
 * Regularization of a training configuration: coupled {@code @L1} and {@code @L2} (added to the
 * gradients after clipping) and decoupled {@code @WeightDecay} (applied in the optimizer update;
 * {@code @AdamW}'s {@code weightDecay} arrives here too). Layer fields may override each term
 * ({@link LayerOverride}).
 *
 * @param l1 the {@code @L1} term, {@link Term#NONE} for none
 * @param l2 the {@code @L2} term
 * @param weightDecay the decoupled decay term
 */
public record RegularizationSpec(Term l1, Term l2, Term weightDecay) {
  /** No regularization. */
  public static RegularizationSpec none() {
    return new RegularizationSpec(Term.NONE, Term.NONE, Term.NONE);
  }

  /**
   * One coefficient and the parameters it acts on.
   *
   * @param value the coefficient λ, at least 0
   * @param allParameters every trainable parameter ({@code applyTo = ALL}), not only weights
   */
  public record Term(double value, boolean allParameters) {
    /** A term that does nothing. */
    public static final Term NONE = new Term(0, false);

    /** Whether the term acts on a parameter that is ({@code weight}) or is not a weight. */
    public boolean appliesTo(boolean isWeight) {
      return value > 0 && (isWeight || allParameters);
    }
  }

  /**
   * The training annotations on one layer field: each non-null term replaces the configuration's
   * for that layer; a frozen layer is never updated.
   *
   * @param l1 the field's {@code @L1}, or null
   * @param l2 the field's {@code @L2}, or null
   * @param weightDecay the field's {@code @WeightDecay}, or null
   * @param frozen whether the field carries {@code @Frozen}
   * @param learningRateScale the field's {@code @LearningRateScale}, or null (1)
   */
  public record LayerOverride(Term l1, Term l2, Term weightDecay, boolean frozen,
      Double learningRateScale) {
    /** A field without training annotations. */
    public static final LayerOverride NONE = new LayerOverride(null, null, null, false, null);

    /** Without a learning-rate scale. */
    public LayerOverride(Term l1, Term l2, Term weightDecay, boolean frozen) {
      this(l1, l2, weightDecay, frozen, null);
    }

    /** The factor on the scheduled rate for this layer: its scale, or 1. */
    public double rateScale() {
      return learningRateScale == null ? 1 : learningRateScale;
    }
  }

  /** The L1 term in effect for a layer with {@code override}. */
  public Term l1For(LayerOverride override) {
    return override.l1() != null ? override.l1() : l1;
  }

  /** The L2 term in effect for a layer with {@code override}. */
  public Term l2For(LayerOverride override) {
    return override.l2() != null ? override.l2() : l2;
  }

  /** The decoupled decay term in effect for a layer with {@code override}. */
  public Term weightDecayFor(LayerOverride override) {
    return override.weightDecay() != null ? override.weightDecay() : weightDecay;
  }
}
