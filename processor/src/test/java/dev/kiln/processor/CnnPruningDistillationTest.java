package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import dev.kiln.runtime.ops.DistillationLoss;
import dev.kiln.runtime.pruning.Pruning;
import dev.kiln.runtime.tensor.Tensor;
import dev.kiln.runtime.train.Trainer;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 16, item 5: {@code @Prune} on a CNN (unstructured magnitude pruning of the kernel weights
 * {@code [out, in, kh, kw]} and the dense weights, biases untouched, each layer at its scheduled
 * sparsity) and {@code @Distill} with a CNN teacher, for a CNN student and for a dense student of
 * the same image input: the step's loss follows {@code DistillationLoss} on both networks' logits.
 */
class CnnPruningDistillationTest {
  private static final int ROWS = 6;
  private static Compiled compiled;

  private static final String TEACHER = """
      package cnn;
      import static dev.kiln.dsl.ActivationFunction.*;
      import dev.kiln.dsl.*;
      @Model(inputs = {1, 8, 8})
      public abstract class Teacher {
        @Conv2d(filters = 6, kernel = 3, padding = 1) @BatchNorm @Activation(RELU)
        @MaxPool(size = 2) Layer conv1;
        @Conv2d(filters = 8, kernel = 3) @Activation(RELU) @Dropout(0.2) Layer conv2;
        @Dense(4) Layer logits;
      }
      """;

  private static final String STUDENT = """
      package cnn;
      import static dev.kiln.dsl.ActivationFunction.*;
      import dev.kiln.dsl.*;
      @Model(inputs = {1, 8, 8})
      public abstract class Student {
        @Conv2d(filters = 3, kernel = 3, stride = 2) @Activation(RELU) Layer conv;
        @Dense(4) Layer logits;
      }
      """;

  private static final String FLAT_STUDENT = """
      package cnn;
      import dev.kiln.dsl.*;
      @Model(inputs = {1, 8, 8})
      public abstract class FlatStudent {
        @Dense(4) Layer logits;
      }
      """;

  private static String config(String name, String model, String annotations) {
    return "package cnn;\nimport dev.kiln.dsl.*;\n@TrainingConfig(model = " + model
        + ".class, loss = Loss.SOFTMAX_CROSS_ENTROPY, batchSize = " + ROWS
        + ", epochs = 1, seed = 2)\n" + annotations + "\npublic interface " + name + " {}\n";
  }

  @BeforeAll
  static void compile() {
    compiled = Compiled.compile(Map.of("cnn.Teacher", TEACHER, "cnn.Student", STUDENT,
        "cnn.FlatStudent", FLAT_STUDENT,
        "cnn.TeacherTraining", config("TeacherTraining", "Teacher",
            "@Sgd(learningRate = 0.1, momentum = 0.9)"),
        "cnn.Pruned", config("Pruned", "Teacher", "@Adam(learningRate = 0.01)\n"
            + "@Prune(finalSparsity = 0.6, beginStep = 1, endStep = 7, frequency = 2,"
            + " scope = PruneScope.PER_LAYER)"),
        "cnn.Distilled", config("Distilled", "Student", "@Sgd(learningRate = 0.2)\n"
            + "@Distill(teacher = Teacher.class, temperature = 4.0, alpha = 0.8)"),
        "cnn.FlatDistilled", config("FlatDistilled", "FlatStudent", "@Sgd(learningRate = 0.2)\n"
            + "@Distill(teacher = Teacher.class, temperature = 2.0, alpha = 0.5)")));
  }

  private static Object network(String model, long seed) throws Exception {
    return compiled.load("cnn." + model + "Network").getMethod("initialize", long.class)
        .invoke(null, seed);
  }

  private static Trainer trainer(String config, Object... networks) throws Exception {
    Class<?>[] types = new Class<?>[networks.length];
    for (int i = 0; i < networks.length; i++) {
      types[i] = networks[i].getClass();
    }
    return (Trainer) compiled.load("cnn." + config + "Trainer").getConstructor(types)
        .newInstance(networks);
  }

  private static INDArray predict(Object network, INDArray x) throws Exception {
    return (INDArray) network.getClass().getMethod("predict", INDArray.class)
        .invoke(network, x);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, INDArray> parameters(Object network) throws Exception {
    return (Map<String, INDArray>) network.getClass().getMethod("parameters").invoke(network);
  }

  /** Images {@code [rows, 1, 8, 8]} and one-hot labels of 4 classes. */
  private static INDArray[] batch(int s) {
    Nd4j.getRandom().setSeed(300 + s);
    INDArray x = Nd4j.rand(DataType.FLOAT, ROWS, 1, 8, 8).subi(0.5).muli(2);
    INDArray y = Nd4j.zeros(DataType.FLOAT, ROWS, 4);
    for (int r = 0; r < ROWS; r++) {
      y.putScalar(r, (r + s) % 4, 1f);
    }
    return new INDArray[] {x, y};
  }

  private static Object trainedTeacher() throws Exception {
    Object teacher = network("Teacher", 1);
    Trainer t = trainer("TeacherTraining", teacher);
    for (int s = 0; s < 10; s++) {
      INDArray[] b = batch(s);
      t.step(b[0], b[1]);
    }
    return teacher;
  }

  @Test
  void unstructuredPruningReachesEachLayersTargetOnConvolutions() throws Exception {
    Object network = network("Teacher", 7);
    Trainer trainer = trainer("Pruned", network);
    Map<String, float[]> biases = Map.of(
        "conv1.bias", parameters(network).get("conv1.bias").dup().data().asFloat());
    for (int s = 0; s < 9; s++) {
      INDArray[] b = batch(s);
      trainer.step(b[0], b[1]);
    }
    @SuppressWarnings("unchecked")
    Map<String, Tensor> masks = (Map<String, Tensor>) trainer.getClass().getMethod("masks")
        .invoke(trainer);
    assertThat(masks.keySet()).containsExactly("conv1.weight", "conv2.weight", "logits.weight")
        .inOrder();
    assertThat(masks.get("conv1.weight").array().shape()).isEqualTo(new long[] {6, 1, 3, 3});
    assertThat(masks.get("conv2.weight").array().shape()).isEqualTo(new long[] {8, 6, 3, 3});
    Map<String, INDArray> params = parameters(network);
    for (Map.Entry<String, Tensor> e : masks.entrySet()) {
      float[] m = e.getValue().toFloatArray();
      float[] w = params.get(e.getKey()).dup().data().asFloat();
      int zeros = 0;
      for (int i = 0; i < m.length; i++) {
        if (m[i] == 0f) {
          zeros++;
          assertWithMessage("%s[%s] pruned", e.getKey(), i).that(w[i]).isEqualTo(0f);
        }
      }
      assertWithMessage("pruned entries of %s", e.getKey()).that(zeros)
          .isEqualTo(Pruning.count(0.6, m.length));
    }
    // biases are trained, never masked
    float[] bias = params.get("conv1.bias").dup().data().asFloat();
    assertThat(bias).isNotEqualTo(biases.get("conv1.bias"));
    for (float v : bias) {
      assertThat(v).isNotEqualTo(0f);
    }
  }

  @Test
  void cnnStudentLearnsFromACnnTeacher() throws Exception {
    checkDistilledStep("Distilled", "Student", 4.0, 0.8);
  }

  @Test
  void denseStudentLearnsFromACnnTeacher() throws Exception {
    checkDistilledStep("FlatDistilled", "FlatStudent", 2.0, 0.5);
  }

  private static void checkDistilledStep(String config, String model, double temperature,
      double alpha) throws Exception {
    Object teacher = trainedTeacher();
    float[] teacherBefore = predict(teacher, batch(50)[0]).data().asFloat();
    Object student = network(model, 3);
    Trainer trainer = trainer(config, student, teacher);
    for (int s = 0; s < 3; s++) {
      INDArray[] b = batch(40 + s);
      Tensor sLogits = Tensor.wrap(predict(student, b[0]).dup());
      Tensor tLogits = Tensor.wrap(predict(teacher, b[0]).dup());
      Tensor y = Tensor.wrap(b[1].dup());
      double expected = DistillationLoss.loss(sLogits, tLogits, y, ROWS, 4, temperature, alpha,
          0.0, Tensor.zeros(ROWS, 4));
      float loss = trainer.step(b[0], b[1]);
      assertWithMessage("%s step %s", config, s).that((double) loss)
          .isWithin(1e-5 * Math.abs(expected)).of(expected);
    }
    assertWithMessage("the teacher is never changed")
        .that(predict(teacher, batch(50)[0]).data().asFloat()).isEqualTo(teacherBefore);
  }
}
