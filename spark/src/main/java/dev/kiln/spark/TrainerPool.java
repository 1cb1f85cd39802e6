package dev.kiln.spark;

import dev.kiln.runtime.train.Trainer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trainers kept in an executor between rounds of a run, so a task does not rebuild its network
 * and buffers each round. A task takes one (or builds one), overwrites its whole state from the
 * broadcast, and gives it back when it succeeds; a failed task's trainer is dropped. Only the
 * newest few runs are kept.
 */
final class TrainerPool {
  private static final int RUNS_KEPT = 2;
  private static final Map<String, Deque<Slot>> RUNS = new LinkedHashMap<>();

  /** A pooled trainer and the shard order it last computed. */
  static final class Slot {
    final Trainer trainer;
    private long orderKey = Long.MIN_VALUE;
    private int[] order;

    Slot(Trainer trainer) {
      this.trainer = trainer;
    }

    /** The visiting order of {@code shard} in {@code epoch}, cached per (epoch, shard). */
    int[] order(RoundTask task, Shard shard) {
      long key = ((long) task.epoch() << 32) | shard.index;
      if (key != orderKey || order == null || order.length != shard.rows) {
        order = ShardOrder.order(task.seed(), task.epoch(), shard.index, shard.rows,
            task.shuffle());
        orderKey = key;
      }
      return order;
    }
  }

  private TrainerPool() {}

  /** A trainer of run {@code runId}: a pooled one, else a new one from {@code factory}. */
  static Slot take(String runId, TrainerFactory<?> factory) {
    synchronized (RUNS) {
      Deque<Slot> slots = RUNS.get(runId);
      if (slots != null && !slots.isEmpty()) {
        return slots.pop();
      }
    }
    return new Slot(factory.create());
  }

  /** Gives a trainer back after a successful task. */
  static void give(String runId, Slot slot) {
    synchronized (RUNS) {
      RUNS.computeIfAbsent(runId, k -> new ArrayDeque<>()).push(slot);
      Iterator<String> oldest = RUNS.keySet().iterator();
      while (RUNS.size() > RUNS_KEPT) {
        String k = oldest.next();
        if (!k.equals(runId)) {
          oldest.remove();
        }
      }
    }
  }

  /** Drops the trainers of a run (the driver calls it when a run ends, for local mode). */
  static void release(String runId) {
    synchronized (RUNS) {
      RUNS.remove(runId);
    }
  }
}
