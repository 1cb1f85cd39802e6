package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Global average pooling: images {@code [C, H, W]} become {@code [C]}, each channel's mean over
 * its {@code H·W} positions. Applies after the layer's core, batch norm and activation, before its
 * dropout.
 *
 * <p>PyTorch: {@code nn.AdaptiveAvgPool2d(1)} followed by {@code torch.flatten(x, 1)}; Keras:
 * {@code GlobalAveragePooling2D()}; DL4J: {@code GlobalPoolingLayer(PoolingType.AVG)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface GlobalAvgPool {}
