package dev.kiln.runtime.backend.cpu;

import dev.kiln.runtime.backend.Backends;

import static com.google.common.truth.Truth.assertThat;

import org.junit.jupiter.api.Test;

/** The kernels chosen once per JVM follow {@code -Dkiln.native} and {@code -Dkiln.threads}. */
class BackendsTest {
  @Test
  void theJavaLoopsRunWhenTheNativeKernelsAreTurnedOff() {
    boolean wanted = Boolean.parseBoolean(System.getProperty(Backends.NATIVE_PROPERTY, "true"));
    if (!wanted || !NativeKernels.bundled()) {
      assertThat(Backends.kernels().name()).isEqualTo("java");
      assertThat(Backends.kernels().threads()).isEqualTo(1);
    } else {
      assertThat(Backends.kernels()).isInstanceOf(NativeKernels.class);
    }
    assertThat(Backends.kernels()).isSameInstanceAs(Backends.kernels());
  }
}
