package dev.kiln.runtime.backend;

/**
 * The geometry of one 2-d convolution layer as the {@link Kernels} convolution kernels take it
 * (PyTorch's {@code nn.Conv2d}, groups 1, no dilation): input {@code [n, channels, height, width]},
 * weight {@code [outChannels, channels, kernelH, kernelW]}, output {@code [n, outChannels, outH,
 * outW]} with {@code outH = floor((height + 2·padH - kernelH) / strideH) + 1} (likewise {@code
 * outW}), all NCHW, row-major, contiguous. {@code forwardGroup} and {@code backwardGroup} are the
 * samples the Java loops lower into one product ({@code ops.Conv2d}'s cache rule); the native
 * kernels lower the samples of each thread in groups of the same sizes. The caller ({@code
 * ops.Conv2d}) has checked every size: this record checks nothing.
 *
 * @param channels input channels {@code C}
 * @param height input height {@code H}
 * @param width input width {@code W}
 * @param outChannels output channels
 * @param kernelH kernel height
 * @param kernelW kernel width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padH zero padding above and below
 * @param padW zero padding left and right
 * @param outH output height
 * @param outW output width
 * @param forwardGroup samples per product of the forward pass, at least 1
 * @param backwardGroup samples per product of the backward pass, at least 1
 */
public record ConvShape(int channels, int height, int width, int outChannels, int kernelH,
    int kernelW, int strideH, int strideW, int padH, int padW, int outH, int outW,
    int forwardGroup, int backwardGroup) {

  /** {@code H·W}: the elements of one input plane. */
  public int inPlane() {
    return height * width;
  }

  /** {@code outH·outW}: the elements of one output plane. */
  public int outPlane() {
    return outH * outW;
  }

  /** {@code C·kh·kw}: the rows of a lowered sample, the columns of the weight matrix. */
  public int patch() {
    return channels * kernelH * kernelW;
  }

  /** The first output column whose window's column {@code kj} lies inside the input. */
  public int firstValidColumn(int kj) {
    int lo = -Math.floorDiv(kj - padW, strideW); // ceil((padW - kj) / strideW)
    return Math.max(0, Math.min(outW, lo));
  }

  /** One past the last output column whose window's column {@code kj} lies inside the input. */
  public int endValidColumn(int kj) {
    int hi = Math.floorDiv(width - 1 + padW - kj, strideW) + 1;
    return Math.max(firstValidColumn(kj), Math.min(outW, hi));
  }

  /**
   * Floats the Java loops need for the columns and, if grouped, the product of {@code group}
   * samples: {@code C·kh·kw·group·outH·outW}, plus {@code out·group·outH·outW} when {@code group
   * > 1}.
   */
  public long groupWorkspace(int group) {
    long columns = (long) group * outPlane();
    return patch() * columns + (group > 1 ? outChannels * columns : 0);
  }
}
