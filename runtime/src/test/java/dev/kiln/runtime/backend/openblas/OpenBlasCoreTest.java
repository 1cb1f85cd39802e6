package dev.kiln.runtime.backend.openblas;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Kiln chooses OpenBLAS's kernels from the CPU flags before the library loads. */
class OpenBlasCoreTest {

  @Test
  void avx512CpusGetTheSkylakeXKernels() {
    assertThat(OpenBlasCore.choose(Set.of("sse2", "avx2", "fma", "avx512f", "avx512bw",
        "avx512dq", "avx512vl"))).isEqualTo("SkylakeX");
  }

  @Test
  void avx2CpusGetTheHaswellKernels() {
    assertThat(OpenBlasCore.choose(Set.of("sse2", "avx", "avx2", "fma"))).isEqualTo("Haswell");
    // AVX-512 F alone (Knights Landing) is not enough for the SkylakeX kernels.
    assertThat(OpenBlasCore.choose(Set.of("avx2", "fma", "avx512f"))).isEqualTo("Haswell");
  }

  @Test
  void olderCpusAreLeftToOpenBlas() {
    assertThat(OpenBlasCore.choose(Set.of("sse2", "sse4_2", "avx"))).isNull();
    assertThat(OpenBlasCore.choose(Set.of())).isNull();
  }

  @Test
  void aFreshJvmLoadsTheChosenKernels() throws Exception {
    String expected = OpenBlasCore.choose(OpenBlasCore.cpuFlags());
    assumeTrue(expected != null, "this CPU has neither AVX2 nor AVX-512");
    assertThat(probe(Map.of(), List.of())).isEqualTo(expected);
  }

  @Test
  void anExplicitEnvironmentVariableWins() throws Exception {
    assumeTrue(OpenBlasCore.cpuFlags().containsAll(Set.of("avx2", "fma")), "needs AVX2");
    assertThat(probe(Map.of(OpenBlasCore.VARIABLE, "Haswell"), List.of())).isEqualTo("Haswell");
  }

  @Test
  void theSystemPropertyNamesTheKernels() throws Exception {
    assumeTrue(OpenBlasCore.cpuFlags().containsAll(Set.of("avx2", "fma")), "needs AVX2");
    assertThat(probe(Map.of(), List.of("-D" + OpenBlasCore.PROPERTY + "=Haswell")))
        .isEqualTo("Haswell");
  }

  /** Runs {@link OpenBlasCoreProbe} in a new JVM and returns the core it reports. */
  private static String probe(Map<String, String> env, List<String> jvmArgs)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(OpenBlasCoreProbe.class.getName());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove(OpenBlasCore.VARIABLE);
    builder.environment().putAll(env);
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String text = new String(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isEqualTo(0);
    for (String line : text.split("\n")) {
      if (line.startsWith(OpenBlasCoreProbe.PREFIX)) {
        return line.substring(OpenBlasCoreProbe.PREFIX.length()).trim();
      }
    }
    throw new AssertionError("the probe printed no core:\n" + text);
  }
}
