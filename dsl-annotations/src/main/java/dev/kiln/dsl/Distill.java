package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Knowledge distillation (Hinton, Vinyals and Dean, 2015, "Distilling the Knowledge in a Neural
 * Network", arXiv:1503.02531): the model learns from a trained teacher's softened outputs as well
 * as from the labels. The loss of a batch is
 *
 * <pre>
 *   α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y)
 * </pre>
 *
 * <p>with {@code s} the student's logits, {@code t} the teacher's, the KL divergence averaged over
 * the batch's rows (PyTorch's {@code F.kl_div(F.log_softmax(s/T, 1), F.softmax(t/T, 1),
 * reduction='batchmean')}) and {@code CE} the configuration's softmax cross-entropy (with its
 * label smoothing). {@code T²} keeps the soft term's gradients on the scale of the hard term's.
 *
 * <p>The generated trainer's constructor takes the teacher: {@code new
 * YTrainer(StudentNetwork network, TeacherNetwork teacher)}, the teacher trained beforehand
 * (for example {@code TeacherNetwork.load(path)} of an inference export or checkpoint). The
 * teacher runs in eval mode (batch norm on its running statistics, dropout off) on each batch,
 * into buffers allocated once, and is never updated. It is not part of the student's checkpoints:
 * pass the same teacher to resume. Needs {@code loss = SOFTMAX_CROSS_ENTROPY}; teacher and student
 * must have the same inputs and outputs. Keras's distillation example weights the terms the other
 * way round ({@code alpha} on the hard loss): its {@code alpha} is Kiln's {@code 1 − alpha}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Distill {
  /** The teacher's {@link Model} type; its generated network is the constructor's second argument. */
  Class<?> teacher();

  /**
   * {@code T}: the softmax temperature of both sets of logits in the soft term; positive and
   * finite, default 4 (1 is the plain softmax; higher shows more of the teacher's ranking of the
   * wrong classes).
   */
  double temperature() default 4.0;

  /**
   * {@code α}: the weight of the soft (teacher) term, in [0, 1]; the hard (label) term gets
   * {@code 1 − α}. Default 0.9. 0 is plain training on the labels.
   */
  double alpha() default 0.9;
}
