package dev.kiln.runtime.backend.openblas;

import org.nd4j.common.io.Resource;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4jBackend;

/**
 * Runs {@link OpenBlasCore#select()} when ND4J starts, before it loads any native library, so that
 * OpenBLAS gets the right kernels even in a program that uses ND4J before any Kiln class.
 *
 * <p>ND4J finds its backends with {@link java.util.ServiceLoader}: it instantiates every
 * registered {@link Nd4jBackend}, then asks them, highest priority first, whether they are
 * available; the CPU backend loads the native libraries only then. This class is registered as
 * such a backend ({@code META-INF/services/org.nd4j.linalg.factory.Nd4jBackend}) but is never
 * chosen: its priority is the lowest and it reports itself unavailable. Its constructor is the
 * hook.
 */
public final class OpenBlasCoreHook extends Nd4jBackend {
  /** Called by the service loader; chooses the OpenBLAS kernels. */
  public OpenBlasCoreHook() {
    OpenBlasCore.select();
  }

  @Override
  public boolean allowsOrder() {
    return false;
  }

  @Override
  public int getPriority() {
    return Integer.MIN_VALUE;
  }

  @Override
  public boolean isAvailable() {
    return false;
  }

  @Override
  public boolean canRun() {
    return false;
  }

  @Override
  public Resource getConfigurationResource() {
    return null;
  }

  @Override
  public Class getNDArrayClass() {
    return null;
  }

  @Override
  public Environment getEnvironment() {
    return null;
  }

  @Override
  public String buildInfo() {
    return "not a backend: chooses OpenBLAS's kernels before ND4J loads them (Kiln)";
  }

  @Override
  public void logBackendInit() {}
}
