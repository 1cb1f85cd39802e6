package dev.kiln.dsl;

/** Whether {@link ReduceOnPlateau}'s monitored value should fall or rise (PyTorch's {@code mode}). */
public enum PlateauMode {
  /** Lower is better, as for a loss: the default. */
  MIN,
  /** Higher is better, as for an accuracy. */
  MAX
}
