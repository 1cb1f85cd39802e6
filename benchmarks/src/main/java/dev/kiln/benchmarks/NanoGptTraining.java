package dev.kiln.benchmarks;

import dev.kiln.dsl.AdamW;
import dev.kiln.dsl.ClipGradNorm;
import dev.kiln.dsl.CosineDecay;
import dev.kiln.dsl.Loss;
import dev.kiln.dsl.TrainingConfig;
import dev.kiln.dsl.Warmup;

/**
 * {@link NanoGpt} trained as the samples' {@code CharGptTraining} and {@code
 * GptTraining.nanoGpt} (what {@link GptStepBenchmark} steps by hand): batches of 12 sequences,
 * AdamW at 1e-3 with betas (0.9, 0.99) and decoupled decay 0.1 on matrices and embeddings, 100
 * warm-up steps from 1e-5, then cosine decay to 1e-4 over the rest of the run ({@code AUTO}:
 * {@link GeneratedGptStepBenchmark} plans a run of 1,000,000 steps, as the hand-written one), and
 * global-norm clipping at 1.
 */
@TrainingConfig(model = NanoGpt.class, loss = Loss.SOFTMAX_CROSS_ENTROPY,
    batchSize = 12, epochs = 10, seed = 1337)
@AdamW(learningRate = 1e-3, beta2 = 0.99, weightDecay = 0.1)
@Warmup(steps = 100, startFactor = 0.01)
@CosineDecay(minimum = 1e-4)
@ClipGradNorm(maxNorm = 1.0)
public interface NanoGptTraining {}
