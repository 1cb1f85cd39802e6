package dev.kiln.runtime.backend;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Kernels} of this JVM, chosen once when this class initialises: the native kernels
 * where their library loads and {@code -D}{@value #NATIVE_PROPERTY}{@code =false} is not given,
 * else the Java loops. The choice is a static final field, so the JIT sees one implementation at
 * every call site and inlines through the interface.
 */
public final class Backends {
  /** System property: {@code false} makes the runtime use its Java loops only. */
  public static final String NATIVE_PROPERTY = "kiln.native";

  /**
   * System property: the number of threads the native kernels and matrix products use; else the
   * environment variable {@code OMP_NUM_THREADS}, else the number of processors; at most the
   * number of processors. The Java loops always run on the calling thread.
   */
  public static final String THREADS_PROPERTY = "kiln.threads";

  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

  private static final Kernels KERNELS = select();

  private Backends() {}

  /** The kernels every training step of this JVM runs; the same instance on every call. */
  public static Kernels kernels() {
    return KERNELS;
  }

  private static Kernels select() {
    List<KernelsProvider> providers = ServiceLoader.load(KernelsProvider.class,
            Backends.class.getClassLoader()).stream()
        .map(ServiceLoader.Provider::get)
        .sorted(Comparator.comparingInt(KernelsProvider::priority).reversed())
        .collect(Collectors.toList());
    for (KernelsProvider provider : providers) {
      Optional<Kernels> kernels = provider.load();
      if (kernels.isPresent()) {
        LOG.debug("kernels: {} on {} thread(s)", kernels.get().name(), kernels.get().threads());
        return kernels.get();
      }
    }
    throw new IllegalStateException("no Kiln kernels found: META-INF/services/"
        + KernelsProvider.class.getName() + " is missing from the class path (a jar merged"
        + " without its service files?)");
  }
}
