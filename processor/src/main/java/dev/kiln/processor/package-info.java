/**
 * The Kiln annotation processor: {@code read} (annotation mirrors → declarations with locations)
 * → {@code validate} (positioned diagnostics; shapes inferred part by part) → {@code model} (the
 * checked, immutable specs: a layer is a {@code Shape} and a list of sealed {@code Part}s) → {@code
 * write} (JavaPoet; one {@code PartCode} per part kind, fusions chosen in {@code Fusions}).
 *
 * <p>Adding a layer part kind, for example {@code @Conv2d}: the annotation in dsl-annotations; a
 * declaration record in {@code read.Decls} and an entry in {@code read.PartReaders}; {@code
 * validate.Conv2dRules} and one line in {@code validate.LayerRules}; {@code model.Conv2dPart}
 * (added to {@code Part}'s permits); {@code write.Conv2dCode} and one line in {@code
 * write.PartCode.of}; the kernel in the runtime's {@code ops} package. The trainer and network
 * writers' control flow does not change. See {@code docs/design.md}.
 */
package dev.kiln.processor;
