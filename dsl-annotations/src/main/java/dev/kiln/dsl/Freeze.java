package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a training configuration: the named layers are frozen for this training only, so one model
 * class can be trained frozen (a new head on a trained body) and then unfrozen (fine-tuning all of
 * it) by two configurations. The parameters of a frozen layer keep their values: the optimizer
 * skips them (no update, no weight decay, their momentum or Adam moments unchanged), and their
 * gradients are left out of clipping and {@code lastGradientNorm()}. Gradients still flow through
 * the layer to the layers before it, and batch-norm running statistics keep updating, as for
 * {@link Frozen}.
 *
 * <p>Unlike {@link Frozen} on the model's field, the frozen layers keep their optimizer buffers
 * and their place among the trainer's parameters, and the freeze is not part of the checkpoint's
 * fingerprint: a checkpoint of the frozen configuration restores into the unfrozen one (same
 * model and otherwise the same settings), with the optimizer's buffers and step count, and
 * training goes on from there. Kiln's optimizers count one step for all parameters (PyTorch counts
 * per parameter), so a layer unfrozen after {@code t} steps starts Adam's bias correction at
 * {@code t}, not at 0.
 *
 * <p>A name is a layer field of the model, or the path of a block's layer ({@code "blocks.2.mlp"};
 * a block field's name freezes every layer inside it). Naming a layer that has no parameters, is
 * already {@link Frozen}, is pruned, or does not exist is a compile error. PyTorch: {@code
 * layer.requires_grad_(False)}; Keras: {@code layer.trainable = False}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Freeze {
  /** The names of the layers (or block fields) to freeze; at least one. */
  String[] value();
}
