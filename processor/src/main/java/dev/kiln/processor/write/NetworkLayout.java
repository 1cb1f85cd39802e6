package dev.kiln.processor.write;

import com.palantir.javapoet.ClassName;
import dev.kiln.processor.model.Specs.LayerSpec;
import dev.kiln.processor.model.Specs.NetworkSpec;
import java.util.List;

/** Names of the generated network's members, shared by the network and trainer writers. */
final class NetworkLayout {
  private final NetworkSpec spec;
  private final Members members = new Members(List.of("INPUTS", "OUTPUTS", "parameters",
      "initialize", "predict", "save", "load", "tensors", "MODEL_FINGERPRINT", "checkOutput", "input", "output", "features", "n", "seed", "rng",
      "map", "evalBuffers", "forwardEval", "EvalBuffers", "checkEvalTensor", "buffers",
      "maxBatch", "length", "skip", "tokens", "VOCABULARY", "CONTEXT", "generate", "generation",
      "Generation", "forwardStep", "nextLogits", "position", "prompt", "predictBuffers",
      "predictInput", "predictLogits"));

  NetworkLayout(NetworkSpec spec) {
    this.spec = spec;
  }

  NetworkSpec spec() {
    return spec;
  }

  ClassName className() {
    return ClassName.get(spec.target().packageName(), spec.className());
  }

  /** The field holding a parameter or running statistic. */
  String field(Parameters.Param param) {
    return members.name(param.layer().name(), param.role());
  }

  String field(LayerSpec layer, String role) {
    return members.name(layer.name(), role);
  }

  /** The allocation-free eval-mode method of a layer ({@code forwardEval}'s parts). */
  String evalMethod(LayerSpec layer) {
    return members.name(layer.name(), "eval");
  }
}
