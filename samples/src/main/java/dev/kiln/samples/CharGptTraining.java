package dev.kiln.samples;

import dev.kiln.dsl.AdamW;
import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.TrainingConfig;
import dev.kiln.dsl.Warmup;

/**
 * How {@link CharGpt} is trained, as nanoGPT's CPU run of {@code shakespeare_char} (and {@code
 * benchmarks/pytorch/gpt_peer.py train}): batches of 12 random windows of 64 characters, AdamW at
 * 1e-3 with betas (0.9, 0.99) and decoupled decay 0.1 on the matrices and embeddings (none on
 * biases and LayerNorm), 100 warm-up steps from 1e-5, then cosine decay to 1e-4 over the rest of
 * the run (its length is {@code AUTO}: planned by {@code fit} from the iterations asked for,
 * 2,000 by default), and global-norm clipping at 1.
 *
 * <p>{@code epochs} counts evaluation intervals, not passes over the text: the token {@code fit}
 * (see {@link dev.kiln.runtime.train.TokenTraining}) runs {@code epochs} intervals of
 * {@code stepsPerInterval} random batches each; the command line's {@code --iterations} and
 * {@code --eval-every} set both.
 */
@TrainingConfig(model = CharGpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 12, epochs = 10, seed = 1337)
@AdamW(learningRate = 1e-3, beta2 = 0.99, weightDecay = 0.1)
@Warmup(steps = 100, startFactor = 0.01)
@CosineDecay(minimum = 1e-4)
@ClipGradNorm(maxNorm = 1.0)
public interface CharGptTraining {}
