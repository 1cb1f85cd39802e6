package dev.kiln.runtime.backend;

import java.util.Optional;

/**
 * A source of {@link Kernels}, found with {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.kiln.runtime.backend.KernelsProvider}), as ND4J finds its backends. {@link
 * Backends} asks the providers once, highest {@link #priority()} first, and uses the first that
 * can run here. The runtime registers two: the native kernels (priority 100) and the Java loops
 * (0, always available). Implementations live in sub-packages, which depend on this package and
 * not the other way round.
 */
public interface KernelsProvider {
  /** Higher is asked first. */
  int priority();

  /**
   * The kernels, or empty where they cannot run in this JVM (another platform, a library that did
   * not load, or turned off by a system property); the reason is logged. Called at most once.
   */
  Optional<Kernels> load();
}
