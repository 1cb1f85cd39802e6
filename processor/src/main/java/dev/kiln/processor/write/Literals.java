package dev.kiln.processor.write;

/** Java source literals for values read from annotations. */
final class Literals {
  private Literals() {}

  static String of(double value) {
    if (value == Double.POSITIVE_INFINITY) {
      return "Double.POSITIVE_INFINITY";
    }
    return Double.toString(value);
  }

  static String ofFloat(double value) {
    return Float.toString((float) value) + "f";
  }

  static String shape(long[] shape) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return b.append(']').toString();
  }
}
