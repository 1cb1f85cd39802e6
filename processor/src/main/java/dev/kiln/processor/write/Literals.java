package dev.kiln.processor.write;

/** Java source literals for values read from annotations. */
final class Literals {
  private Literals() {}

  static String of(double value) {
    if (value == Double.POSITIVE_INFINITY) {
      return "java.lang.Double.POSITIVE_INFINITY"; // qualified: a user type may be named Double
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

  /** A per-sample shape with the batch axis in front, {@code [n, 32, 28, 28]}. */
  static String batchShape(dev.kiln.processor.model.Shape shape) {
    return "[n, " + shape.toString().substring(1);
  }
}
