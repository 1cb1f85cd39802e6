package dev.kiln.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDatasetTest {
  @TempDir Path dir;

  private static CsvDataset read(String text, CsvDataset.Options o) throws IOException {
    return CsvDataset.read(new StringReader(text), "toy.csv", o);
  }

  @Test
  void headerLabelByNameOneHotWithSortedClasses() throws IOException {
    Path file = dir.resolve("iris.csv");
    Files.writeString(file, "sepal,species,petal\n"
        + "5.1,setosa,1.4\n"
        + "\"6.0\",virginica, 5.1 \n"
        + "\n"
        + "5.9,versicolor,4.2\n"
        + "4.9,setosa,1.5e0\n");
    CsvDataset csv = CsvDataset.read(file, CsvDataset.options().labelColumn("species"));
    assertThat(csv.classes()).containsExactly("setosa", "versicolor", "virginica").inOrder();
    assertThat(csv.featureNames()).containsExactly("sepal", "petal").inOrder();
    Dataset d = csv.dataset();
    assertThat(d.size()).isEqualTo(4);
    assertThat(d.featureCount()).isEqualTo(2);
    assertThat(d.features()).usingExactEquality()
        .containsExactly(5.1f, 1.4f, 6.0f, 5.1f, 5.9f, 4.2f, 4.9f, 1.5f).inOrder();
    assertThat(d.labels()).usingExactEquality()
        .containsExactly(1f, 0f, 0f, 0f, 0f, 1f, 0f, 1f, 0f, 1f, 0f, 0f).inOrder();
    assertThat(d.description()).isEqualTo(file.toString());
  }

  @Test
  void noHeaderLabelByIndexAndIntegerClassesSortNumerically() throws IOException {
    CsvDataset csv = read("10;0.5;1\n2;0.25;2\n1;0;3\n10;1;4\n",
        CsvDataset.options().header(false).labelColumn(0).delimiter(';'));
    assertThat(csv.classes()).containsExactly("1", "2", "10").inOrder();
    assertThat(csv.featureNames()).containsExactly("column2", "column3").inOrder();
    assertThat(csv.dataset().classIndex(0)).isEqualTo(2);
    assertThat(csv.dataset().classIndex(1)).isEqualTo(1);
    assertThat(csv.dataset().classIndex(2)).isEqualTo(0);
    // the last column is the default label
    CsvDataset last = read("a,b,y\n1,2,x\n3,4,z\n", CsvDataset.options());
    assertThat(last.classes()).containsExactly("x", "z").inOrder();
    assertThat(last.dataset().features()).usingExactEquality()
        .containsExactly(1f, 2f, 3f, 4f).inOrder();
  }

  @Test
  void aGivenClassListEncodesATestFileTheSameWay() throws IOException {
    CsvDataset test = read("f,y\n1,b\n2,a\n",
        CsvDataset.options().classes(List.of("c", "b", "a")));
    assertThat(test.dataset().classCount()).isEqualTo(3);
    assertThat(test.dataset().classIndex(0)).isEqualTo(1);
    assertThat(test.dataset().classIndex(1)).isEqualTo(2);
    CsvFormatException e = assertThrows(CsvFormatException.class, () -> read("f,y\n1,b\n2,d\n",
        CsvDataset.options().classes(List.of("a", "b"))));
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(2);
    assertThat(e).hasMessageThat().contains("label 'd' in column 'y' is not one of the classes");
  }

  @Test
  void aBadCellIsReportedWithLineAndColumn() {
    CsvFormatException e = assertThrows(CsvFormatException.class,
        () -> read("x1,x2,label\n1,2,a\n3,abc,b\n", CsvDataset.options()));
    assertThat(e.source()).isEqualTo("toy.csv");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.column()).isEqualTo(2);
    assertThat(e).hasMessageThat().isEqualTo(
        "toy.csv: line 3, column 2: expected a finite number in column 'x2', found 'abc'");
    for (String bad : new String[] {"NaN", "Infinity", "", "1f", "0x10"}) {
      CsvFormatException b = assertThrows(CsvFormatException.class,
          () -> read("1,a\n" + bad + ",b\n", CsvDataset.options().header(false)));
      assertThat(b.line()).isEqualTo(2);
      assertThat(b.column()).isEqualTo(1);
    }
  }

  @Test
  void aMissingLabelIsReportedWithLineAndColumn() {
    CsvFormatException e = assertThrows(CsvFormatException.class,
        () -> read("x,label\n1,a\n2,a\n3,\n", CsvDataset.options()));
    assertThat(e.line()).isEqualTo(4);
    assertThat(e.column()).isEqualTo(2);
    assertThat(e).hasMessageThat().contains("missing label in column 'label'");
  }

  @Test
  void rowsOfAnotherLengthAndUnknownColumnsAreRefused() {
    CsvFormatException ragged = assertThrows(CsvFormatException.class,
        () -> read("x,y,label\n1,2,a\n3,b\n", CsvDataset.options()));
    assertThat(ragged.line()).isEqualTo(3);
    assertThat(ragged).hasMessageThat().contains("expected 3 cells, found 2");
    CsvFormatException unknown = assertThrows(CsvFormatException.class,
        () -> read("x,y\n1,a\n", CsvDataset.options().labelColumn("class")));
    assertThat(unknown).hasMessageThat().contains("no column named 'class'");
    CsvFormatException empty = assertThrows(CsvFormatException.class,
        () -> read("x,y\n", CsvDataset.options()));
    assertThat(empty).hasMessageThat().contains("no data rows");
  }
}
