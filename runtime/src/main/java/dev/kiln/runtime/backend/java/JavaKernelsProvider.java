package dev.kiln.runtime.backend.java;

import dev.kiln.runtime.backend.Kernels;
import dev.kiln.runtime.backend.KernelsProvider;

import java.util.Optional;

/** Provides {@link JavaKernels}, which run everywhere: the lowest priority. */
public final class JavaKernelsProvider implements KernelsProvider {
  /** Called by the service loader. */
  public JavaKernelsProvider() {}

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public Optional<Kernels> load() {
    return Optional.of(new JavaKernels());
  }
}
