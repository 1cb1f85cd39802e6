package dev.kiln.runtime.testing;

import static com.google.common.truth.Truth.assertWithMessage;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * Measures what a kernel call allocates, as DESIGN.md defines "allocation-free": after {@code
 * warmup} calls, {@code calls} more on this thread must allocate under {@code maxBytesPerCall}
 * heap bytes each on average ({@code ThreadMXBean.getThreadAllocatedBytes}) and must not grow
 * JavaCPP's {@code Pointer.totalBytes()}. Prints one {@code [allocation]} line per kernel.
 */
public final class AllocationProbe {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private AllocationProbe() {}

  /** Fails unless this JVM counts each thread's heap allocation (else the probe sees nothing). */
  public static void assertAccounting() {
    assertWithMessage("thread allocation accounting").that(
        THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled())
        .isTrue();
  }

  /** Runs {@code kernel} {@code warmup} times, then measures {@code calls} calls. */
  public static void assertAllocationFree(String name, Runnable kernel, int warmup, int calls,
      long maxBytesPerCall) {
    for (int i = 0; i < warmup; i++) {
      kernel.run();
    }
    long start = System.nanoTime();
    long nativeBefore = Pointer.totalBytes();
    long before = THREADS.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < calls; i++) {
      kernel.run();
    }
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    long nativeGrowth = Pointer.totalBytes() - nativeBefore;
    System.out.printf(Locale.ROOT,
        "[allocation] %-45s %8.2f heap bytes/call, native +%d bytes, %.1f µs/call%n", name,
        (double) allocated / calls, nativeGrowth, (System.nanoTime() - start) / 1e3 / calls);
    assertWithMessage("%s: heap bytes allocated by %s calls", name, calls).that(allocated)
        .isLessThan(maxBytesPerCall * calls);
    assertWithMessage("%s: growth of Pointer.totalBytes()", name).that(nativeGrowth).isAtMost(0L);
  }
}
