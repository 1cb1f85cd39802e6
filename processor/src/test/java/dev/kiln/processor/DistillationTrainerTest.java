package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.ops.DistillationLoss;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generated trainers with {@code @Distill}: the teacher's {@code forwardEval} equals its {@code
 * predict}; a step's loss and parameter update follow {@code DistillationLoss} on the student's
 * and the teacher's logits; with {@code alpha = 0} training is bit for bit plain cross-entropy
 * training; the teacher (with batch norm and dropout) is bitwise unchanged by training, works
 * when loaded from an export, and the step allocates nothing.
 */
class DistillationTrainerTest {
  private static Compiled compiled;
  private static final int ROWS = 8;

  private static final String TEACHER = """
      package distill;
      import static dev.kiln.dsl.ActivationFunction.*;
      import dev.kiln.dsl.*;
      @Model(inputs = 6)
      public abstract class Teacher {
        @Dense(12) @BatchNorm @Activation(RELU) @Dropout(0.3) Layer hidden;
        @Dense(3) Layer logits;
      }
      """;

  private static final String STUDENT = """
      package distill;
      import dev.kiln.dsl.*;
      @Model(inputs = 6)
      public abstract class Student {
        @Dense(3) Layer logits;
      }
      """;

  private static String config(String name, String model, String extra) {
    return "package distill;\nimport dev.kiln.dsl.*;\n@TrainingConfig(model = " + model
        + ".class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = " + ROWS
        + ", epochs = 1, seed = 2" + extra + "\npublic interface " + name + " {}\n";
  }

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of(
        "distill.Teacher", TEACHER, "distill.Student", STUDENT,
        "distill.TeacherTraining", config("TeacherTraining", "Teacher",
            ")\n@Sgd(learningRate = 0.1, momentum = 0.9)"),
        "distill.Distilled", config("Distilled", "Student",
            ")\n@Sgd(learningRate = 0.5)\n@Distill(teacher = Teacher.class, temperature = 3.0,"
                + " alpha = 0.7)"),
        "distill.AlphaZero", config("AlphaZero", "Student", ", labelSmoothing = 0.1)\n"
            + "@Sgd(learningRate = 0.3, momentum = 0.9)\n@ClipGradNorm(maxNorm = 0.5)\n"
            + "@Distill(teacher = Teacher.class, alpha = 0.0)"),
        "distill.Plain", config("Plain", "Student", ", labelSmoothing = 0.1)\n"
            + "@Sgd(learningRate = 0.3, momentum = 0.9)\n@ClipGradNorm(maxNorm = 0.5)")));
  }

  private static Object network(String model, long seed) throws Exception {
    return compiled.load("distill." + model + "Network").getMethod("initialize", long.class)
        .invoke(null, seed);
  }

  private static Trainer trainer(String config, Object... networks) throws Exception {
    Class<?>[] types = new Class<?>[networks.length];
    for (int i = 0; i < networks.length; i++) {
      types[i] = networks[i].getClass();
    }
    return (Trainer) compiled.load("distill." + config + "Trainer").getConstructor(types)
        .newInstance(networks);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, INDArray> parameters(Object network) throws Exception {
    return (Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network);
  }

  private static INDArray predict(Object network, INDArray x) throws Exception {
    return (INDArray) network.getClass().getMethod("predict", INDArray.class)
        .invoke(network, x);
  }

  private static INDArray[] batch(int s, int rows) {
    Nd4j.getRandom().setSeed(900 + s);
    INDArray x = Nd4j.rand(DataType.FLOAT, rows, 6).subi(0.5).muli(3);
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows, 3);
    for (int r = 0; r < rows; r++) {
      y.putScalar(r, (r + s) % 3, 1f);
    }
    return new INDArray[] {x, y};
  }

  /** A teacher trained for a few steps, so its batch-norm statistics are not the initial ones. */
  private static Object trainedTeacher() throws Exception {
    Object teacher = network("Teacher", 1);
    Trainer t = trainer("TeacherTraining", teacher);
    for (int s = 0; s < 15; s++) {
      INDArray[] b = batch(s, ROWS);
      t.step(b[0], b[1]);
    }
    return teacher;
  }

  private static Map<String, float[]> snapshot(Map<String, INDArray> parameters) {
    Map<String, float[]> copy = new LinkedHashMap<>();
    parameters.forEach((k, v) -> copy.put(k, v.dup().data().asFloat()));
    return copy;
  }

  @Test
  void forwardEvalEqualsPredictAndAllocatesNothing() throws Exception {
    Object teacher = trainedTeacher();
    Class<?> buffersType = compiled.load("distill.TeacherNetwork$EvalBuffers");
    Object buffers = teacher.getClass().getMethod("evalBuffers", int.class).invoke(teacher, 10);
    var forward = teacher.getClass().getMethod("forwardEval", Tensor.class, int.class,
        Tensor.class, buffersType);
    INDArray x = batch(3, 10)[0];
    Tensor input = Tensor.zeros(10, 6);
    input.setFrom(x.dup().data().asFloat());
    Tensor output = Tensor.zeros(10, 3);
    output.fill(Float.NaN);
    forward.invoke(teacher, input, 7, output, buffers);
    float[] expected = predict(teacher, x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 7),
        org.nd4j.linalg.indexing.NDArrayIndex.all())).data().asFloat();
    float[] actual = output.toFloatArray();
    for (int i = 0; i < expected.length; i++) {
      assertWithMessage("forwardEval[%s]", i).that(actual[i]).isEqualTo(expected[i]);
    }
    for (int i = expected.length; i < actual.length; i++) {
      assertWithMessage("rows past n untouched").that(Float.isNaN(actual[i])).isTrue();
    }
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 100; i++) {
      forward.invoke(teacher, input, 10, output, buffers);
    }
    InvocationTargetException e = assertThrows(InvocationTargetException.class,
        () -> forward.invoke(teacher, input, 11, output, buffers));
    assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
    assertThrows(InvocationTargetException.class,
        () -> forward.invoke(teacher, Tensor.zeros(10, 5), 4, output, buffers));
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 1000; i++) {
      forward.invoke(teacher, input, 10, output, buffers);
    }
    // what remains is reflection's own argument array (Object[4]: 32 bytes per call)
    assertThat((threads.getCurrentThreadAllocatedBytes() - before) / 1000.0).isAtMost(48.0);
  }

  @Test
  void stepFollowsTheDistillationLossAndItsGradient() throws Exception {
    Object teacher = trainedTeacher();
    Object student = network("Student", 5);
    Trainer trainer = trainer("Distilled", student, teacher);
    INDArray[] b = batch(40, ROWS);
    Tensor s = Tensor.wrap(predict(student, b[0]).dup());
    Tensor t = Tensor.wrap(predict(teacher, b[0]).dup());
    Tensor y = Tensor.wrap(b[1].dup());
    Tensor g = Tensor.zeros(ROWS, 3);
    double expectedLoss = DistillationLoss.loss(s, t, y, ROWS, 3, 3.0, 0.7, 0.0, g);
    INDArray weightBefore = parameters(student).get("logits.weight").dup();
    INDArray biasBefore = parameters(student).get("logits.bias").dup();
    float loss = trainer.step(b[0], b[1]);
    assertThat((double) loss).isWithin(1e-6 * Math.abs(expectedLoss)).of(expectedLoss);
    INDArray grad = g.array();
    INDArray expectedWeight = weightBefore.sub(b[0].transpose().mmul(grad).muli(0.5));
    INDArray expectedBias = biasBefore.sub(grad.sum(0).muli(0.5));
    assertClose("logits.weight", parameters(student).get("logits.weight"), expectedWeight);
    assertClose("logits.bias", parameters(student).get("logits.bias"), expectedBias);
  }

  private static void assertClose(String what, INDArray actual, INDArray expected) {
    float[] a = actual.dup().data().asFloat();
    float[] e = expected.dup().data().asFloat();
    assertThat(a.length).isEqualTo(e.length);
    for (int i = 0; i < a.length; i++) {
      assertWithMessage("%s[%s]", what, i).that((double) a[i])
          .isWithin(1e-6 + 1e-5 * Math.abs(e[i])).of(e[i]);
    }
  }

  @Test
  void alphaZeroTrainsExactlyAsPlainCrossEntropy() throws Exception {
    Object teacher = trainedTeacher();
    Object a = network("Student", 9);
    Object b = network("Student", 9);
    Trainer distilled = trainer("AlphaZero", a, teacher);
    Trainer plain = trainer("Plain", b);
    for (int s = 0; s < 20; s++) {
      INDArray[] batch = batch(s, ROWS - s % 3);
      assertThat(distilled.step(batch[0], batch[1])).isEqualTo(plain.step(batch[0], batch[1]));
    }
    Map<String, float[]> pa = snapshot(parameters(a));
    Map<String, float[]> pb = snapshot(parameters(b));
    for (String k : pa.keySet()) {
      assertWithMessage(k).that(pa.get(k)).isEqualTo(pb.get(k));
    }
  }

  @Test
  void teacherIsBitwiseUnchangedAndMayComeFromAnExport(@TempDir Path dir) throws Exception {
    Object teacher = trainedTeacher();
    Map<String, float[]> before = snapshot(parameters(teacher));
    Trainer trainer = trainer("Distilled", network("Student", 5), teacher);
    float first = 0;
    for (int s = 0; s < 30; s++) {
      INDArray[] b = batch(s, ROWS - s % 4);
      float loss = trainer.step(b[0], b[1]);
      first = s == 0 ? loss : first;
      assertThat(Float.isFinite(loss)).isTrue();
    }
    Map<String, float[]> after = snapshot(parameters(teacher));
    assertThat(after.keySet()).containsExactlyElementsIn(before.keySet());
    for (String k : before.keySet()) {
      assertWithMessage("teacher %s", k).that(after.get(k)).isEqualTo(before.get(k));
    }
    assertThat(trainer.getClass().getMethod("teacher").invoke(trainer)).isSameInstanceAs(teacher);
    assertThat(trainer.trainingState().arrays().keySet().stream()
        .anyMatch(k -> k.startsWith("hidden"))).isFalse();
    assertThat(trainer.trainingState().fingerprint().entries())
        .containsAtLeast("distillation.temperature", "3.0", "distillation.alpha", "0.7");

    Path file = dir.resolve("teacher.kiln");
    teacher.getClass().getMethod("save", Path.class).invoke(teacher, file);
    Object loaded = teacher.getClass().getMethod("load", Path.class).invoke(null, file);
    Trainer again = trainer("Distilled", network("Student", 5), loaded);
    INDArray[] b = batch(0, ROWS);
    assertThat(again.step(b[0], b[1])).isEqualTo(first);

    InvocationTargetException e = assertThrows(InvocationTargetException.class,
        () -> compiled.load("distill.DistilledTrainer")
            .getConstructor(network("Student", 1).getClass(), teacher.getClass())
            .newInstance(network("Student", 1), null));
    assertThat(e.getCause()).isInstanceOf(NullPointerException.class);
  }

  @Test
  void distillingStepAllocatesNothing() throws Exception {
    Trainer trainer = trainer("Distilled", network("Student", 5), trainedTeacher());
    // full and partial batches measured apart: the trainer resolves a caller's array once and
    // remembers it by identity, so alternating two arrays would measure that cache instead
    measure(trainer, batch(1, ROWS), "full batch");
    measure(trainer, batch(2, ROWS - 3), "partial batch");
  }

  private static void measure(Trainer trainer, INDArray[] b, String what) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 300; i++) {
      trainer.step(b[0], b[1]);
    }
    long offHeap = Pointer.totalBytes();
    long heap = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 1000; i++) {
      trainer.step(b[0], b[1]);
    }
    double perStep = (threads.getCurrentThreadAllocatedBytes() - heap) / 1000.0;
    long growth = Pointer.totalBytes() - offHeap;
    System.out.printf(Locale.ROOT, "distilling trainer, %s: %.2f heap bytes/step, off-heap"
        + " growth %d bytes%n", what, perStep, growth);
    assertWithMessage("%s: heap bytes per step", what).that(perStep).isAtMost(64.0);
    assertWithMessage("%s: off-heap growth", what).that(growth).isAtMost(0L);
  }
}
