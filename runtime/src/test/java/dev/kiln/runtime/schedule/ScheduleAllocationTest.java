package dev.kiln.runtime.schedule;

import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.schedule.CosineDecaySchedule;
import dev.kiln.runtime.schedule.LearningRateSchedule;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Rate (and momentum) evaluation allocates nothing: after a warm-up, {@value #CALLS} evaluations of
 * each schedule at growing steps allocate zero bytes on the calling thread's heap (as measured by
 * {@code ThreadMXBean.getCurrentThreadAllocatedBytes}); so does a plateau's end of epoch.
 */
class ScheduleAllocationTest {
  private static final int CALLS = 200_000;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static void add(List<DynamicTest> tests, String name, LearningRateSchedule s) {
    tests.add(DynamicTest.dynamicTest(name, () -> {
      double[] sink = {0};
      Runnable run = () -> {
        for (long t = 0; t < CALLS; t++) {
          sink[0] += s.rate(t * 3) + s.momentum(t);
        }
      };
      run.run();
      run.run();
      // The least of a few measurements: the JIT may still allocate a little while it compiles
      // (a few hundred bytes once); one allocation per call would show in every measurement.
      long allocated = Long.MAX_VALUE;
      for (int attempt = 0; attempt < 3 && allocated >= 256; attempt++) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        run.run();
        allocated = Math.min(allocated, THREADS.getCurrentThreadAllocatedBytes() - before);
      }
      System.out.printf(Locale.ROOT, "[allocation] %-34s %d heap bytes over %d rate+momentum"
          + " evaluations%n", name, allocated, CALLS);
      // Slack for the measurement itself; one allocation per call would be >= 16·CALLS bytes.
      assertWithMessage("%s: heap bytes over %s evaluations", name, CALLS).that(allocated)
          .isLessThan(256L);
      assertWithMessage("sink").that(Double.isNaN(sink[0]) || sink[0] != 0).isTrue();
    }));
  }

  @TestFactory
  List<DynamicTest> rateEvaluationAllocatesNothing() {
    List<DynamicTest> tests = new ArrayList<>();
    add(tests, "StepDecay", new StepDecaySchedule(0.1, 30, 0.1));
    add(tests, "MultiStepDecay", new MultiStepDecaySchedule(0.1, new long[] {50, 120, 160}, 0.2));
    add(tests, "ExponentialDecay", new ExponentialDecaySchedule(0.1, 0.99999));
    add(tests, "LinearDecay", new LinearDecaySchedule(0.1, 1, 0.05, 150));
    add(tests, "PolynomialDecay", new PolynomialDecaySchedule(0.1, 1000, 2));
    add(tests, "CosineDecay", new CosineDecaySchedule(0.1, 1000, 1e-4, false));
    add(tests, "CosineRestarts", new CosineRestartsSchedule(0.1, 20, 2, 1e-4));
    add(tests, "OneCycle", new OneCycleSchedule(0.5, 1000, 0.3, OneCycleSchedule.Annealing.LINEAR,
        25, 1e4, true, 0.85, 0.95));
    add(tests, "Warmup + PerEpoch(StepDecay)", new WarmupSchedule(0.1, 2, 100, 0, false,
        new PerEpochSchedule(new StepDecaySchedule(0.1, 3, 0.5), 100)));
    ReduceOnPlateauSchedule plateau = new ReduceOnPlateauSchedule(0.1, 0.5, 1, 1e-4, true, 1, 0,
        false);
    add(tests, "ReduceOnPlateau", plateau);
    tests.add(DynamicTest.dynamicTest("ReduceOnPlateau.endEpoch", () -> {
      for (int i = 0; i < 1000; i++) {
        plateau.endEpoch(i, 1.0 / (i % 7 + 1));
      }
      long before = THREADS.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < CALLS; i++) {
        plateau.endEpoch(i, 1.0 / (i % 7 + 1));
      }
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
      assertWithMessage("endEpoch heap bytes").that(allocated).isLessThan(256L);
    }));
    return tests;
  }
}
