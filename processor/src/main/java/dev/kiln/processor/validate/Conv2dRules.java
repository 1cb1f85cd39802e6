package dev.kiln.processor.validate;

import dev.kiln.processor.model.Conv2dPart;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.WeightInit;
import dev.kiln.processor.model.Window;
import dev.kiln.processor.read.Attr;
import dev.kiln.processor.read.Decls.Conv2dDecl;
import dev.kiln.processor.read.Decls.LayerDecl;

/**
 * {@code @Conv2d(filters, kernel, stride, padding, paddingMode, bias, init)}: images as input;
 * filters at least 1; kernel and stride one or two values, each at least 1; padding at least 0 and
 * below the kernel; {@code SAME} only with an odd kernel and no explicit padding; the kernel fits
 * the padded input. {@code init = AUTO} as for {@code @Dense}.
 */
final class Conv2dRules {
  private Conv2dRules() {}

  /**
   * The checked part (after an error in its values, one with a 1x1 window), or null on an input
   * that is not an image (reported).
   */
  static Conv2dPart check(Conv2dDecl conv, Shape input, LayerDecl layer, Reporter reporter) {
    String name = "Conv2d";
    if (input.rank() != 3) {
      reporter.error(layer.field(), conv.mirror(),
          Diagnostic.CONV_NEEDS_IMAGE, layer.field().getSimpleName(), input);
      return null;
    }
    Attr<Integer> filters = conv.filters();
    if (filters.value() < 1) {
      reporter.error(filters, Diagnostic.FILTERS_NOT_POSITIVE, filters.value());
    }
    int[] kernel = WindowRules.pair(conv.kernel(), name, "kernel", 1, reporter);
    int[] stride = WindowRules.pair(conv.stride(), name, "stride", 1, reporter);
    boolean same = DslEnums.is(reporter, conv.paddingMode(), "paddingMode", "SAME", "EXPLICIT");
    int[] padding = padding(conv, kernel, same, reporter);
    WeightInit init = DenseRules.init(conv.init(), layer, reporter);
    Window window = kernel == null || stride == null || padding == null ? null
        : new Window(kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1]);
    if (window == null
        || !WindowRules.fits(window, input, conv.kernel(), name, "kernel", reporter)) {
      // reported; a 1x1 window keeps the height and width so later layers are checked on
      window = new Window(1, 1, 1, 1, 0, 0);
    }
    return new Conv2dPart(Math.max(1, filters.value()), window, conv.bias().value(),
        init == null ? WeightInit.XAVIER_UNIFORM : init);
  }

  /** The padding per axis: {@code SAME}'s {@code (k - 1)/2}, or the checked explicit padding. */
  private static int[] padding(Conv2dDecl conv, int[] kernel, boolean same, Reporter reporter) {
    Attr<int[]> attr = conv.padding();
    if (same) {
      if (attr.written() != null) {
        reporter.error(attr, Diagnostic.SAME_WITH_PADDING, WindowRules.text(attr.value()));
        return null;
      }
      if (kernel == null) {
        return null;
      }
      if (kernel[0] % 2 == 0 || kernel[1] % 2 == 0) {
        reporter.error(conv.paddingMode(), Diagnostic.SAME_EVEN_KERNEL,
            WindowRules.text(conv.kernel().value()));
        return null;
      }
      return new int[] {(kernel[0] - 1) / 2, (kernel[1] - 1) / 2};
    }
    int[] padding = WindowRules.pair(attr, "Conv2d", "padding", 0, reporter);
    if (padding == null || kernel == null) {
      return null;
    }
    if (padding[0] >= kernel[0] || padding[1] >= kernel[1]) {
      reporter.error(attr, Diagnostic.PADDING_TOO_LARGE, "Conv2d", WindowRules.text(attr.value()),
          WindowRules.text(attr.value()), "below the kernel", WindowRules.text(
              conv.kernel().value()), "a window of padding alone sees only zeros");
      return null;
    }
    return padding;
  }
}
