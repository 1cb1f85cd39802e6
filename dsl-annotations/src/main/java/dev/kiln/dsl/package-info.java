/**
 * The annotations users write to describe a network ({@link dev.kiln.dsl.Model} with {@link
 * dev.kiln.dsl.Layer} fields) and its training ({@link dev.kiln.dsl.TrainingConfig} with an
 * optimizer, schedule, clipping and regularization). The Kiln annotation processor checks them at
 * compile time and generates the network and trainer classes.
 */
package dev.kiln.dsl;
