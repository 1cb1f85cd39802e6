package dev.kiln.processor.write;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.TrainingSpec;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The trainer's {@code fit} and {@code evaluate} overloads (in-memory {@code Dataset} or DL4J
 * {@code DataSetIterator}, with or without {@code FitOptions}), all delegating to the runtime's
 * {@code Training} with the configuration's loss, and the accessors that loop needs: {@code
 * parameters()} and {@code outputBuffer()}.
 */
final class FitMethods {
  private FitMethods() {}

  static void add(TypeSpec.Builder type, TrainingSpec spec, TrainerLayout layout) {
    String loss = spec.loss().toString();
    String smoothing = Literals.of(spec.labelSmoothing());
    TypeName results = ParameterizedTypeName.get(ClassName.get(List.class),
        RuntimeNames.EPOCH_RESULT);
    type.addMethod(fit(RuntimeNames.DATASET, false, results, loss, smoothing,
            "Trains for {@code EPOCHS} epochs over shuffled mini-batches of {@code train} (seeded"
                + " by {@code SEED}),\nevaluating on {@code validation} (may be null) after each"
                + " epoch.\n\n@return one result per epoch\n@throws IllegalArgumentException if"
                + " the data does not fit the network, or the last batch\n    would be too small"
                + " for batch normalisation (use the {@code FitOptions} overload with\n"
                + "    {@code dropLast})\n"))
        .addMethod(fit(RuntimeNames.DATASET, true, RuntimeNames.FIT_RESULT, loss, smoothing,
            "Trains as {@code options} say (epochs, batch size up to {@code BATCH_SIZE}, shuffle"
                + " seed,\n{@code dropLast}, early stopping), evaluating on {@code validation}"
                + " after each epoch.\n\n@param options null for the configuration's settings\n"
                + "@return the epochs run and what early stopping did\n"
                + "@throws IllegalArgumentException as the other overload, or for options the"
                + " network cannot\n    take, before the first step\n"))
        .addMethod(fit(RuntimeNames.DATA_SET_ITERATOR, false, results, loss, smoothing,
            "Trains for {@code EPOCHS} epochs on the batches of a DL4J / ND4J iterator, in its"
                + " order\n(batches larger than {@code BATCH_SIZE} are cut), evaluating on {@code"
                + " validation} (may be null)\nafter each epoch. The iterator must support"
                + " {@code reset()}.\n\n@return one result per epoch\n"))
        .addMethod(fit(RuntimeNames.DATA_SET_ITERATOR, true, RuntimeNames.FIT_RESULT, loss,
            smoothing, "Trains on the batches of a DL4J / ND4J iterator as {@code options} say"
                + " (shuffling is\nthe iterator's own).\n\n@param options null for the"
                + " configuration's settings\n@return the epochs run and what early stopping"
                + " did\n"))
        .addMethod(evaluate(RuntimeNames.DATASET, loss, smoothing))
        .addMethod(evaluate(RuntimeNames.DATA_SET_ITERATOR, loss, smoothing))
        .addMethod(MethodSpec.methodBuilder("parameters").addAnnotation(Override.class)
            .addModifiers(Modifier.PUBLIC)
            .returns(ParameterizedTypeName.get(ClassName.get(Map.class),
                ClassName.get(String.class), RuntimeNames.INDARRAY))
            .addJavadoc("The network's parameters and batch-norm statistics, live views by"
                + " name.\n")
            .addStatement("return network.parameters()").build());
    List<LayerSpec> layers = spec.network().layers();
    String out = layout.of(layers.get(layers.size() - 1)).out();
    type.addMethod(MethodSpec.methodBuilder("outputBuffer").addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC).returns(RuntimeNames.TENSOR)
        .addJavadoc("The network outputs of the last step, {@code [BATCH_SIZE, $L]}.\n",
            spec.network().outputs())
        .addStatement("return $L", out).build());
  }

  private static MethodSpec fit(ClassName data, boolean withOptions, TypeName returns,
      String loss, String smoothing, String doc) {
    MethodSpec.Builder m = MethodSpec.methodBuilder("fit").addModifiers(Modifier.PUBLIC)
        .returns(returns).addParameter(data, "train").addParameter(data, "validation");
    if (withOptions) {
      m.addParameter(RuntimeNames.FIT_OPTIONS, "options");
    }
    m.addParameter(ArrayTypeName.of(RuntimeNames.TRAINING_LISTENER), "listeners").varargs(true)
        .addJavadoc(doc);
    if (withOptions) {
      return m.addStatement("return $T.fit(this, $T.$L, $L, train, validation, options,"
          + " listeners)", RuntimeNames.TRAINING, RuntimeNames.LOSS_KIND, loss, smoothing).build();
    }
    if (data.equals(RuntimeNames.DATASET)) {
      return m.addStatement("return $T.fit(this, $T.$L, $L, train, validation, listeners)",
          RuntimeNames.TRAINING, RuntimeNames.LOSS_KIND, loss, smoothing).build();
    }
    return m.addStatement("return $T.fit(this, $T.$L, $L, train, validation, null, listeners)"
        + ".epochs()", RuntimeNames.TRAINING, RuntimeNames.LOSS_KIND, loss, smoothing).build();
  }

  private static MethodSpec evaluate(ClassName data, String loss, String smoothing) {
    return MethodSpec.methodBuilder("evaluate").addModifiers(Modifier.PUBLIC)
        .returns(RuntimeNames.EVALUATION).addParameter(data, "data")
        .addJavadoc("Loss, accuracy, per-class precision / recall / F1 and the confusion matrix"
            + " of the\nnetwork in eval mode on {@code data}.\n")
        .addStatement("return $T.evaluate(this, $T.$L, $L, data)", RuntimeNames.TRAINING,
            RuntimeNames.LOSS_KIND, loss, smoothing)
        .build();
  }
}
