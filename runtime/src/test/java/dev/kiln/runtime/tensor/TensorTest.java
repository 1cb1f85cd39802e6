package dev.kiln.runtime.tensor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TensorTest {
  private static final long[][] SHAPES = {{1}, {3}, {10}, {256}, {128, 784}, {7, 13}, {784, 256},
      {2, 3, 5}};

  @Test
  void alignedZerosStartOnACacheLine() {
    for (int repeat = 0; repeat < 20; repeat++) {
      for (long[] shape : SHAPES) {
        Tensor t = Tensor.alignedZeros(shape);
        assertThat(t.address() % 64).isEqualTo(0);
        assertThat(t.pointer().address() + t.pointer().position() * Float.BYTES)
            .isEqualTo(t.address());
      }
    }
  }

  @Test
  void alignedZerosIsALiveViewWithTheShapeAsked() {
    for (long[] shape : SHAPES) {
      Tensor t = Tensor.alignedZeros(shape);
      INDArray a = t.array();
      assertThat(a.shape()).isEqualTo(shape);
      assertThat(a.dataType()).isEqualTo(DataType.FLOAT);
      assertThat(Tensor.isContiguousRowMajor(a)).isTrue();
      assertThat(a.length()).isEqualTo(t.length());
      for (int i = 0; i < t.length(); i++) {
        assertThat(t.get(i)).isEqualTo(0f);
      }
      // Through the INDArray, seen by the kernels' buffer, and back.
      int last = t.length() - 1;
      a.reshape(t.length()).putScalar(last, 2.5f);
      assertThat(t.data().get(last)).isEqualTo(2.5f);
      t.set(0, -1f);
      assertThat(a.reshape(t.length()).getFloat(0)).isEqualTo(-1f);
      // Nothing outside the view changes: the copy holds exactly the tensor's elements.
      float[] copy = a.dup().data().asFloat();
      assertThat(copy.length).isEqualTo(t.length());
      assertThat(copy[0]).isEqualTo(-1f);
      assertThat(copy[last]).isEqualTo(last == 0 ? -1f : 2.5f);
    }
  }

  /**
   * Networks' parameters (Tensor.zeros) are plain ND4J arrays: ND4J's NumPy export, which ignores
   * a view's offset, gives their values; an aligned tensor exports through dup().
   */
  @Test
  void numpyExportOfTheArrays() {
    Tensor plain = Tensor.zeros(3, 5);
    Tensor aligned = Tensor.alignedZeros(3, 5);
    float[] values = new float[15];
    for (int i = 0; i < 15; i++) {
      values[i] = i + 1;
    }
    plain.setFrom(values);
    aligned.setFrom(values);
    assertThat(Nd4j.createNpyFromByteArray(Nd4j.toNpyByteArray(plain.array())).data().asFloat())
        .isEqualTo(values);
    assertThat(Nd4j.createNpyFromByteArray(Nd4j.toNpyByteArray(aligned.array().dup())).data()
        .asFloat()).isEqualTo(values);
  }

  @Test
  void tensorsDoNotShareMemory() {
    Tensor a = Tensor.alignedZeros(100);
    Tensor b = Tensor.alignedZeros(100);
    a.fill(1f);
    for (int i = 0; i < 100; i++) {
      assertThat(b.get(i)).isEqualTo(0f);
    }
  }

  @Test
  void wrapOfAViewStartsAtTheViewsFirstElement() {
    INDArray base = Nd4j.arange(0, 40).castTo(DataType.FLOAT).reshape(4, 10);
    INDArray rows = base.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
    Tensor t = Tensor.wrap(rows);
    assertThat(t.length()).isEqualTo(20);
    assertThat(t.get(0)).isEqualTo(10f);
    assertThat(t.get(19)).isEqualTo(29f);
  }

  @Test
  void zerosRejectsEmptyAndOversizedShapes() {
    assertThrows(IllegalArgumentException.class, () -> Tensor.zeros());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.zeros(3, 0));
    assertThat(e).hasMessageThat().contains("[3, 0]");
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.alignedZeros(1L << 32, 1L << 32));
    assertThat(e).hasMessageThat().contains("2^31 - 1");
    e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(65_536, 32_768));
    assertThat(e).hasMessageThat().contains("2^31 - 1");
  }
}
