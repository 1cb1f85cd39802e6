package dev.kiln.runtime.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The Kiln version recorded in checkpoint manifests: the project version Maven writes into the
 * resource {@code kiln-version.properties} when it builds the runtime (resource filtering), so a
 * checkpoint names the release that wrote it, also when the classes run from a build folder
 * rather than a jar.
 */
public final class KilnVersion {
  private static final String VERSION = load();

  private KilnVersion() {}

  /** The project version, such as {@code 0.1.0-SNAPSHOT}; "unknown" if the resource is missing. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = KilnVersion.class.getResourceAsStream("kiln-version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isBlank() && !v.startsWith("${")) {
          return v.trim();
        }
      }
    } catch (IOException e) {
      // fall through to the jar manifest
    }
    String v = KilnVersion.class.getPackage().getImplementationVersion();
    return v != null ? v : "unknown";
  }
}
