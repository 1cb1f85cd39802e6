package dev.kiln.samples;

import dev.kiln.runtime.train.Evaluation;
import dev.kiln.runtime.train.FitOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The distillation experiment on Fashion-MNIST: a wide {@link TeacherMlp} trained as {@link
 * TeacherTraining} and exported; then the small {@link StudentMlp} trained twice with the same
 * seed and epochs, on the labels alone ({@link StudentTraining}) and with the teacher ({@link
 * DistilledStudentTraining}); the teacher is checked to be bitwise unchanged by distillation.
 * Prints a Markdown table at the end.
 *
 * <p>Arguments: {@code [--data DIR] [--epochs N] [--teacher-epochs N] [--teacher FILE] [--out
 * DIR]}: with {@code --teacher} an exported teacher is loaded instead of trained. {@code --epochs}
 * sets the students' epochs (default 10), {@code --teacher-epochs} the teacher's (default 10).
 */
public final class DistillFashion {
  private DistillFashion() {}

  public static void main(String[] args) throws Exception {
    ExperimentArgs a = ExperimentArgs.parse("DistillFashion", Path.of("runs", "pruning"),
        System.err, args);
    if (a == null) {
      System.exit(2);
    }
    Integer teacherEpochs = a.teacherEpochs;
    PrintStream out = System.out;
    FashionMnist.Splits data = FashionMnist.loadDefault(a.data, out);
    List<String> rows = new ArrayList<>();

    TeacherMlpNetwork teacher;
    if (a.teacher != null) {
      teacher = TeacherMlpNetwork.load(a.teacher);
      out.println("teacher loaded from " + a.teacher);
      rows.add(row("TeacherMlp (loaded, " + a.teacher.getFileName() + ")", "-",
          new TeacherTrainingTrainer(teacher).evaluate(data.test()), Double.NaN));
    } else {
      teacher = TeacherMlpNetwork.initialize(TeacherTrainingTrainer.SEED);
      TeacherTrainingTrainer t = new TeacherTrainingTrainer(teacher);
      FitOptions teacherOptions = teacherEpochs == null ? FitOptions.defaults()
          : FitOptions.builder().epochs(teacherEpochs).build();
      long start = System.nanoTime();
      t.fit(data.train(), data.test(), teacherOptions, new ExperimentLog(out, "teacher"));
      double seconds = ExperimentLog.seconds(start);
      rows.add(row("TeacherMlp 784-1024-BN-ReLU-1024-BN-ReLU-10 (TeacherTraining)",
          Integer.toString(teacherOptions.epochs(t)), t.evaluate(data.test()), seconds));
      Files.createDirectories(a.out);
      Path file = a.out.resolve("teacher.kiln");
      teacher.save(file);
      out.println("teacher exported to " + file);
    }
    FitOptions options = FitOptions.builder().epochs(a.epochs == null ? 10 : a.epochs).build();

    StudentTrainingTrainer plain = new StudentTrainingTrainer(
        StudentMlpNetwork.initialize(StudentTrainingTrainer.SEED));
    long start = System.nanoTime();
    plain.fit(data.train(), data.test(), options, new ExperimentLog(out, "student"));
    rows.add(row("StudentMlp 784-64-ReLU-10, labels only (StudentTraining)",
        Integer.toString(options.epochs(plain)), plain.evaluate(data.test()),
        ExperimentLog.seconds(start)));

    Map<String, float[]> before = snapshot(teacher.parameters());
    DistilledStudentTrainingTrainer distilled = new DistilledStudentTrainingTrainer(
        StudentMlpNetwork.initialize(DistilledStudentTrainingTrainer.SEED), teacher);
    start = System.nanoTime();
    distilled.fit(data.train(), data.test(), options, new ExperimentLog(out, "distilled"));
    rows.add(row(String.format(Locale.ROOT, "StudentMlp distilled, T = %s, alpha = %s"
            + " (DistilledStudentTraining)", DistilledStudentTrainingTrainer.TEMPERATURE,
            DistilledStudentTrainingTrainer.ALPHA), Integer.toString(options.epochs(distilled)),
        distilled.evaluate(data.test()), ExperimentLog.seconds(start)));
    boolean unchanged = before.keySet().stream().allMatch(k -> Arrays.equals(before.get(k),
        teacher.parameters().get(k).dup().data().asFloat()));
    out.println("teacher bitwise unchanged by distillation: " + unchanged);

    out.println();
    out.println("| network | epochs | test accuracy | test loss | training time |");
    out.println("|---|---|---|---|---|");
    rows.forEach(out::println);
  }

  private static Map<String, float[]> snapshot(Map<String, INDArray> parameters) {
    Map<String, float[]> copy = new java.util.LinkedHashMap<>();
    parameters.forEach((k, v) -> copy.put(k, v.dup().data().asFloat()));
    return copy;
  }

  private static String row(String name, String epochs, Evaluation e, double seconds) {
    return String.format(Locale.ROOT, "| %s | %s | %.4f | %.4f | %s |", name, epochs,
        e.accuracy(), e.loss(), Double.isNaN(seconds) ? "-"
            : String.format(Locale.ROOT, "%.0f s", seconds));
  }
}
