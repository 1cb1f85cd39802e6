package dev.kiln.runtime.checkpoint;

/** The Kiln version recorded in checkpoints: the runtime jar's implementation version. */
final class KilnVersion {
  private KilnVersion() {}

  static String get() {
    String v = KilnVersion.class.getPackage().getImplementationVersion();
    return v != null ? v : "development";
  }
}
