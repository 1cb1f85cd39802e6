package dev.kiln.runtime.data;

import dev.kiln.runtime.tensor.Tensor;

import dev.kiln.runtime.data.Batches;

/**
 * Where {@code Training.fit} takes its training batches from: an in-memory dataset through
 * {@link Batches}, or a DL4J {@code DataSetIterator}. Each batch is copied into the trainer's own
 * buffers.
 */
public interface BatchSource {
  /** Rewinds to the first batch of a new epoch (shuffling where the source does). */
  void startEpoch();

  /** Whether the current epoch has another batch. */
  boolean hasNext();

  /**
   * Copies the next batch into the first rows of the buffers.
   *
   * @return the rows copied, at most the batch size
   */
  int next(Tensor features, Tensor labels);

  /** Batches {@link #next} will return per epoch, each with at least the trainer's minimum rows. */
  int stepsPerEpoch();

  /** The shuffle state the current epoch started from (0 where the source does not shuffle). */
  default long epochStartState() {
    return 0;
  }

  /** The shuffle state the next {@link #startEpoch} will start from. */
  default long nextEpochState() {
    return 0;
  }

  /** Position in the current epoch, in the source's own unit. */
  int cursor();

  /**
   * Continues an epoch that started from {@code epochStartState} at {@code cursor}, as if it
   * had run without interruption; with {@code cursor} 0 it starts that epoch afresh.
   */
  void resume(long epochStartState, int cursor);

  /** A source over {@link Batches}: shuffled in memory, nothing allocated per batch. */
  static BatchSource of(Batches batches) {
    return new BatchSource() {
      @Override
      public void startEpoch() {
        batches.startEpoch();
      }

      @Override
      public boolean hasNext() {
        return batches.hasNext();
      }

      @Override
      public int next(Tensor features, Tensor labels) {
        return batches.next(features, labels);
      }

      @Override
      public int stepsPerEpoch() {
        return batches.batchCount();
      }

      @Override
      public long epochStartState() {
        return batches.epochStartRngState();
      }

      @Override
      public long nextEpochState() {
        return batches.rngState();
      }

      @Override
      public int cursor() {
        return batches.cursor();
      }

      @Override
      public void resume(long epochStartState, int cursor) {
        batches.resume(epochStartState, cursor);
      }
    };
  }
}
