/**
 * Learning-rate schedules as closed forms in double, one class per family, each matching a
 * PyTorch scheduler stepped once per optimizer step (see {@code docs/schedules.md}): {@link
 * dev.kiln.runtime.schedule.StepDecaySchedule}, {@link
 * dev.kiln.runtime.schedule.MultiStepDecaySchedule}, {@link
 * dev.kiln.runtime.schedule.ExponentialDecaySchedule}, {@link
 * dev.kiln.runtime.schedule.LinearDecaySchedule}, {@link
 * dev.kiln.runtime.schedule.PolynomialDecaySchedule}, {@link dev.kiln.runtime.schedule.CosineDecaySchedule},
 * {@link dev.kiln.runtime.schedule.CosineRestartsSchedule}, {@link
 * dev.kiln.runtime.schedule.OneCycleSchedule}, {@link
 * dev.kiln.runtime.schedule.ReduceOnPlateauSchedule};
 * the wrappers {@link dev.kiln.runtime.schedule.WarmupSchedule} (PyTorch's {@code SequentialLR}
 * after a warm-up) and {@link dev.kiln.runtime.schedule.PerEpochSchedule} (a schedule stepped per
 * epoch); and {@link dev.kiln.runtime.schedule.Schedules}: run-length planning and curves for
 * previews. Evaluating a rate allocates nothing.
 */
package dev.kiln.runtime.schedule;
