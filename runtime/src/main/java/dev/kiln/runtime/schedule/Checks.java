package dev.kiln.runtime.schedule;

/** Argument checks shared by the schedule constructors. */
final class Checks {
  private Checks() {}

  static long atLeast(long value, long min, String what) {
    if (value < min) {
      throw new IllegalArgumentException(what + " must be at least " + min + ", got " + value);
    }
    return value;
  }

  static double finiteAtLeast(double value, double min, String what) {
    if (!(value >= min && Double.isFinite(value))) {
      throw new IllegalArgumentException(what + " must be finite and at least " + min + ", got "
          + value);
    }
    return value;
  }

  static double inRange(double value, double low, boolean lowOpen, double high, boolean highOpen,
      String what) {
    boolean ok = (lowOpen ? value > low : value >= low)
        && (highOpen ? value < high : value <= high);
    if (!ok) {
      throw new IllegalArgumentException(what + " must be in " + (lowOpen ? "(" : "[") + low + ", "
          + high + (highOpen ? ")" : "]") + ", got " + value);
    }
    return value;
  }

  static long step(long t) {
    if (t < 0) {
      throw new IllegalArgumentException("step must be at least 0, got " + t);
    }
    return t;
  }
}
