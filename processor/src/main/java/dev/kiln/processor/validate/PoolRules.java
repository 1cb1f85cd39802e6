package dev.kiln.processor.validate;

import dev.kiln.processor.model.GlobalAvgPoolPart;
import dev.kiln.processor.model.PoolPart;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Window;
import dev.kiln.processor.read.Decls.GlobalAvgPoolDecl;
import dev.kiln.processor.read.Decls.LayerDecl;
import dev.kiln.processor.read.Decls.PoolDecl;

/**
 * {@code @MaxPool} and {@code @AvgPool(size, stride, padding)}: images as input; size and stride
 * one or two values, each at least 1 (the stride defaults to the size); padding at least 0 and at
 * most half the window (PyTorch's rule); the window fits the padded input. {@code @GlobalAvgPool}:
 * images as input.
 */
final class PoolRules {
  private PoolRules() {}

  /**
   * The checked part (after an error in its values, a 1x1 window), or null on an input that is
   * not an image (reported).
   */
  static PoolPart check(PoolDecl pool, Shape input, LayerDecl layer, Reporter reporter) {
    String name = pool.name();
    if (!image(input, name, pool.mirror(), layer, reporter)) {
      return null;
    }
    int[] size = WindowRules.pair(pool.size(), name, "size", 1, reporter);
    int[] stride = pool.stride().value().length == 0 ? size
        : WindowRules.pair(pool.stride(), name, "stride", 1, reporter);
    int[] padding = WindowRules.pair(pool.padding(), name, "padding", 0, reporter);
    if (size != null && padding != null
        && (padding[0] > size[0] / 2 || padding[1] > size[1] / 2)) {
      reporter.error(pool.padding(), Diagnostic.PADDING_TOO_LARGE, name,
          WindowRules.text(pool.padding().value()), WindowRules.text(pool.padding().value()),
          "at most half the window", WindowRules.text(pool.size().value()),
          "PyTorch's rule: a window must overlap the input by more than its padding");
      padding = null;
    }
    Window window = size == null || stride == null || padding == null ? null
        : new Window(size[0], size[1], stride[0], stride[1], padding[0], padding[1]);
    if (window == null || !WindowRules.fits(window, input, pool.size(), name, "size", reporter)) {
      window = new Window(1, 1, 1, 1, 0, 0); // reported; keeps the shape for later layers
    }
    return new PoolPart(pool.max(), window);
  }

  /** {@code @GlobalAvgPool}, or null on an input that is not an image (reported). */
  static GlobalAvgPoolPart check(GlobalAvgPoolDecl pool, Shape input, LayerDecl layer,
      Reporter reporter) {
    return image(input, "GlobalAvgPool", pool.mirror(), layer, reporter)
        ? new GlobalAvgPoolPart() : null;
  }

  private static boolean image(Shape input, String name,
      javax.lang.model.element.AnnotationMirror mirror, LayerDecl layer, Reporter reporter) {
    if (input.rank() == 3) {
      return true;
    }
    reporter.error(layer.field(), mirror, Diagnostic.POOL_NEEDS_IMAGE, name,
        layer.field().getSimpleName(), input);
    return false;
  }
}
