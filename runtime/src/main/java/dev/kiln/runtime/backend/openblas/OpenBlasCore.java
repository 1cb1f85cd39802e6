package dev.kiln.runtime.backend.openblas;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses OpenBLAS's CPU kernels before the native library loads.
 *
 * <p>OpenBLAS picks its kernels (its "core type") once, when the library loads, from the CPU's
 * model number. The OpenBLAS 0.3.19 that ND4J 1.0.0-M2.1 bundles does not know recent Intel Xeon
 * models (Sapphire Rapids, Emerald Rapids) and falls back to its SSE3 kernels ("Prescott"): the
 * matrix products of a training step then run about 5× slower than with its AVX-512 kernels
 * ("SkylakeX"), which these CPUs support. OpenBLAS honours the environment variable {@code
 * OPENBLAS_CORETYPE} at load time, so Kiln sets it, in its own process, from the CPU's feature
 * flags ({@code /proc/cpuinfo}) before anything loads OpenBLAS:
 *
 * <ul>
 *   <li>AVX-512 F, BW, DQ and VL: {@code SkylakeX};
 *   <li>else AVX2 and FMA: {@code Haswell};
 *   <li>else nothing is set and OpenBLAS decides alone.
 * </ul>
 *
 * <p>Nothing is changed when {@code OPENBLAS_CORETYPE} is already set, when the system property
 * {@value #PROPERTY} is {@code none}, off Linux x86-64, or when OpenBLAS is already loaded (a
 * program that used ND4J before any Kiln class); the last case is logged once as a warning with
 * the variable to set. The property may also name a core type, which is then used as given.
 * Every Kiln class that can be the first to touch ND4J ({@code tensor.Tensor}, {@code backend.Blas}, the data
 * readers, {@code train.Training}) calls {@link #select()} from its static initialiser.
 */
public final class OpenBlasCore {
  /** System property: {@code auto} (the default), {@code none}, or an OpenBLAS core name. */
  public static final String PROPERTY = "kiln.openblas.coretype";

  /** The environment variable OpenBLAS reads when it loads. */
  public static final String VARIABLE = "OPENBLAS_CORETYPE";

  private static final Logger LOG = LoggerFactory.getLogger(OpenBlasCore.class);
  private static String outcome;

  private OpenBlasCore() {}

  /** The part of the C library that sets an environment variable of this process. */
  private interface CLibrary extends Library {
    int setenv(String name, String value, int overwrite);
  }

  /**
   * Sets {@code OPENBLAS_CORETYPE} for this process if it should be (see the class comment).
   * Idempotent and cheap after the first call; never throws.
   *
   * @return what was done, for logs: for example {@code "set OPENBLAS_CORETYPE=SkylakeX"}
   */
  public static synchronized String select() {
    if (outcome == null) {
      try {
        outcome = decide();
      } catch (RuntimeException | LinkageError e) {
        outcome = "left to OpenBLAS (" + e + ")";
      }
      LOG.debug("OpenBLAS core type: {}", outcome);
    }
    return outcome;
  }

  private static String decide() {
    String requested = System.getProperty(PROPERTY, "auto").trim();
    if (requested.isEmpty()) {
      requested = "auto";
    }
    if (requested.equalsIgnoreCase("none")) {
      return "left to OpenBLAS (" + PROPERTY + "=none)";
    }
    String existing = System.getenv(VARIABLE);
    if (existing != null && !existing.isEmpty()) {
      return "left as " + VARIABLE + "=" + existing + " from the environment";
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return "left to OpenBLAS (not Linux x86-64)";
    }
    String core = requested.equalsIgnoreCase("auto") ? choose(cpuFlags()) : requested;
    if (core == null) {
      return "left to OpenBLAS (no AVX2 or AVX-512)";
    }
    if (openBlasLoaded()) {
      LOG.warn("OpenBLAS was loaded before Kiln could choose its kernels; on this CPU its own "
          + "choice may be much slower. Set the environment variable {}={} for this program, or "
          + "use a Kiln class before ND4J (docs/performance.md).", VARIABLE, core);
      return "left to OpenBLAS (already loaded; " + VARIABLE + "=" + core + " advised)";
    }
    CLibrary c = (CLibrary) Native.loadLibrary("c", CLibrary.class);
    // Overwrite: the variable is unset or empty here (an empty one means nothing to OpenBLAS).
    if (c.setenv(VARIABLE, core, 1) != 0) {
      return "left to OpenBLAS (setenv failed)";
    }
    return "set " + VARIABLE + "=" + core;
  }

  /**
   * The OpenBLAS core type for a CPU with the given feature flags (names as in {@code
   * /proc/cpuinfo}), or {@code null} to leave the choice to OpenBLAS.
   */
  static String choose(Set<String> flags) {
    if (flags.containsAll(Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl"))) {
      return "SkylakeX";
    }
    if (flags.containsAll(Set.of("avx2", "fma"))) {
      return "Haswell";
    }
    return null;
  }

  /** The first processor's feature flags from {@code /proc/cpuinfo}; empty if unreadable. */
  static Set<String> cpuFlags() {
    Set<String> flags = new HashSet<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("flags")) {
          int colon = line.indexOf(':');
          for (String flag : line.substring(colon + 1).trim().split("\\s+")) {
            flags.add(flag);
          }
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      flags.clear();
    }
    return flags;
  }

  private static boolean openBlasLoaded() {
    return loadedOpenBlasPath().isPresent();
  }

  private static Optional<String> loadedOpenBlasPath() {
    for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
      if (e.getKey().contains("openblas") && e.getValue() != null && !e.getValue().isEmpty()) {
        return Optional.of(e.getValue());
      }
    }
    return Optional.empty();
  }

  /**
   * The name of the kernels the loaded OpenBLAS uses ({@code openblas_get_corename()}), for
   * example {@code "SkylakeX"} or {@code "Prescott"}; empty when OpenBLAS is not loaded yet.
   */
  public static Optional<String> loadedCore() {
    return loadedOpenBlasPath().map(path -> {
      Function f = NativeLibrary.getInstance(path).getFunction("openblas_get_corename");
      return f.invokeString(new Object[0], false).trim();
    });
  }
}
