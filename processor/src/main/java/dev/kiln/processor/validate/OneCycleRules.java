package dev.kiln.processor.validate;

import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.model.ScheduleSpec;
import dev.kiln.processor.read.Attr;

/**
 * Checks {@code @OneCycle}: the rate members, the momenta, a first phase of positive length for an
 * explicit {@code totalSteps}, and, when it cycles the momentum, an optimizer with a momentum to
 * cycle (PyTorch's {@code OneCycleLR} raises for one without).
 */
final class OneCycleRules {
  private OneCycleRules() {}

  static ScheduleSpec check(ScheduleRules.Members m, OptimizerSpec optimizer) {
    Attr<Double> maxRate = m.real("maxLearningRate");
    if (!(maxRate.value() > 0 && Double.isFinite(maxRate.value()))) {
      m.error(maxRate, Diagnostic.MAX_LEARNING_RATE, maxRate.value());
    }
    int before = m.ctx.reporter().errorCount();
    int totalSteps = m.length("totalSteps", true, false);
    Attr<Double> pctStart = m.real("pctStart");
    if (!(pctStart.value() > 0 && pctStart.value() < 1)) {
      m.error(pctStart, Diagnostic.PCT_START, pctStart.value());
    }
    if (m.ctx.reporter().errorCount() == before && totalSteps != ScheduleSpec.AUTO
        && !(pctStart.value() * totalSteps - 1 > 0)) {
      m.error(m.integer("totalSteps"), Diagnostic.ONE_CYCLE_TOO_SHORT, totalSteps,
          pctStart.value(), pctStart.value() * totalSteps - 1);
    }
    for (String member : new String[] {"divFactor", "finalDivFactor"}) {
      Attr<Double> div = m.real(member);
      if (!(div.value() >= 1 && Double.isFinite(div.value()))) {
        m.error(div, Diagnostic.DIV_FACTOR, member, div.value());
      }
    }
    Attr<Double> base = m.real("baseMomentum");
    Attr<Double> max = m.real("maxMomentum");
    if (!(max.value() >= 0 && max.value() < 1)) {
      m.error(max, Diagnostic.CYCLE_MOMENTUM_RANGE, "maxMomentum", max.value(), base.value(),
          max.value());
    } else if (!(base.value() >= 0 && base.value() <= max.value())) {
      m.error(base, Diagnostic.CYCLE_MOMENTUM_RANGE, "baseMomentum", base.value(), base.value(),
          max.value());
    }
    Attr<Boolean> cycleMomentum = m.ctx.attr(m.mirror, "cycleMomentum", Boolean.class);
    if (cycleMomentum.value() && optimizer != null && !hasMomentum(optimizer)) {
      m.error(cycleMomentum, Diagnostic.ONE_CYCLE_MOMENTUM, describe(optimizer));
    }
    boolean linear = DslEnums.is(m.ctx.reporter(),
        m.ctx.attr(m.mirror, "annealing", String.class), "annealing", "LINEAR", "COSINE");
    return new ScheduleSpec.OneCycle(maxRate.value(), totalSteps, pctStart.value(), linear,
        m.real("divFactor").value(), m.real("finalDivFactor").value(), cycleMomentum.value(),
        base.value(), max.value());
  }

  /** Whether the optimizer has a momentum OneCycle may set (its runtime {@code setMomentum}). */
  private static boolean hasMomentum(OptimizerSpec optimizer) {
    if (optimizer instanceof OptimizerSpec.Sgd sgd) {
      return sgd.momentum() > 0;
    }
    if (optimizer instanceof OptimizerSpec.RmsProp rms) {
      return rms.momentum() > 0;
    }
    return optimizer instanceof OptimizerSpec.Adam;
  }

  private static String describe(OptimizerSpec optimizer) {
    if (optimizer instanceof OptimizerSpec.Sgd sgd) {
      return "@Sgd(momentum = " + sgd.momentum() + ")";
    }
    if (optimizer instanceof OptimizerSpec.RmsProp rms) {
      return "@RmsProp(momentum = " + rms.momentum() + ")";
    }
    return "@" + optimizer.getClass().getSimpleName();
  }
}
