package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;

import com.google.gson.JsonObject;
import dev.kiln.runtime.optim.Optimizer;
import dev.kiln.runtime.train.Trainer;
import dev.kiln.runtime.testing.Golden;
import java.lang.reflect.Field;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code @OneCycle} cycles the momentum of every optimizer that has one, as PyTorch's {@code
 * OneCycleLR} does: SGD's and RMSprop's {@code momentum}, Adam's and AdamW's {@code beta1}. The
 * value the optimizer holds after each step must be {@code schedules.json}'s {@code onecycle_cos}
 * momentum, and the rate its {@code lr}.
 */
class OneCycleOptimizersTest {
  private static String source(String name, String optimizer, JsonObject a) {
    return String.format(Locale.ROOT, """
        package cyc;

        import dev.kiln.dsl.*;

        @TrainingConfig(model = Tiny.class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = 1,
            epochs = 1)
        %s
        @OneCycle(maxLearningRate = %s, totalSteps = %d, pctStart = %s, divFactor = %s,
            finalDivFactor = %s, baseMomentum = %s, maxMomentum = %s)
        public interface %s {}
        """, optimizer, a.get("max_lr").getAsDouble(), a.get("total_steps").getAsInt(),
        a.get("pct_start").getAsDouble(), a.get("div_factor").getAsDouble(),
        a.get("final_div_factor").getAsDouble(), a.get("base_momentum").getAsDouble(),
        a.get("max_momentum").getAsDouble(), name);
  }

  @Test
  void momentumOrBeta1FollowsTheCycle() throws Exception {
    JsonObject entry = null;
    for (var e : Golden.load("schedules.json").getAsJsonArray("schedules")) {
      if (e.getAsJsonObject().get("name").getAsString().equals("onecycle_cos")) {
        entry = e.getAsJsonObject();
      }
    }
    JsonObject args = entry.getAsJsonObject("args");
    assertThat(args.get("anneal_strategy").getAsString()).isEqualTo("cos");
    double[] lr = Golden.doubles(entry.getAsJsonArray("lr"));
    double[] momentum = Golden.doubles(entry.getAsJsonArray("momentum"));
    Map<String, String> optimizers = Map.of("WithAdam", "@Adam", "WithAdamW", "@AdamW",
        "WithRmsProp", "@RmsProp(momentum = 0.5)", "WithSgd", "@Sgd(momentum = 0.5,"
            + " nesterov = true)");
    Map<String, String> sources = new java.util.LinkedHashMap<>();
    sources.put("cyc.Tiny", """
        package cyc;

        import dev.kiln.dsl.*;

        @Model(inputs = 2)
        public abstract class Tiny {
          @Dense(2) Layer out;
        }
        """);
    optimizers.forEach((name, annotation) -> sources.put("cyc." + name,
        source(name, annotation, args)));
    Compiled compiled = Compiled.compile(sources);
    for (String name : optimizers.keySet()) {
      Object network = compiled.load("cyc.TinyNetwork").getMethod("initialize", long.class)
          .invoke(null, 1L);
      Trainer trainer = (Trainer) compiled.load("cyc." + name + "Trainer")
          .getConstructor(network.getClass()).newInstance(network);
      trainer.labelBuffer().set(0, 1f);
      Field field = trainer.getClass().getDeclaredField("optimizer");
      field.setAccessible(true);
      Optimizer optimizer = (Optimizer) field.get(trainer);
      for (int t = 0; t < lr.length; t++) {
        Golden.assertAllClose(name + " lr[" + t + "]", new double[] {trainer.learningRate()},
            new double[] {lr[t]}, Golden.RTOL_LR, Golden.ATOL_LR);
        trainer.stepBuffered(1);
        Golden.assertAllClose(name + " momentum[" + t + "]", new double[] {optimizer.momentum()},
            new double[] {momentum[t]}, Golden.RTOL_LR, Golden.ATOL_LR);
      }
    }
  }
}
