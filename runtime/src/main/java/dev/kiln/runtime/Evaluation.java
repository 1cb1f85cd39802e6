package dev.kiln.runtime;

/**
 * Mean loss and accuracy of a network in eval mode on a dataset.
 *
 * @param loss mean data loss per sample
 * @param accuracy fraction of samples whose arg-max output matches the arg-max label, in [0, 1]
 * @param samples samples evaluated
 */
public record Evaluation(double loss, double accuracy, int samples) {}
