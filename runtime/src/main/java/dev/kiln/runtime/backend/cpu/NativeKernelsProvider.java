package dev.kiln.runtime.backend.cpu;

import dev.kiln.runtime.backend.Kernels;
import dev.kiln.runtime.backend.KernelsProvider;

import java.util.Optional;

/**
 * Provides {@link NativeKernels} where the library is bundled (Linux x86-64, built with GCC),
 * loads, and {@code -Dkiln.native=false} is not given; asked before the Java loops.
 */
public final class NativeKernelsProvider implements KernelsProvider {
  /** Called by the service loader; loads nothing yet. */
  public NativeKernelsProvider() {}

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Optional<Kernels> load() {
    return NativeLibrary.LOADED ? Optional.of(new NativeKernels()) : Optional.empty();
  }
}
