package dev.kiln.processor.validate;

import dev.kiln.processor.read.Attr;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic.Kind;

/** Reports diagnostics at the most precise location and counts them. */
public final class Reporter {
  private final Messager messager;
  private int errors;

  public Reporter(Messager messager) {
    this.messager = messager;
  }

  /** An error on the member's written value, else on its annotation. */
  public void error(Attr<?> at, Diagnostic diagnostic, Object... args) {
    String message = diagnostic.format(args);
    if (at.written() != null) {
      messager.printMessage(Kind.ERROR, message, at.element(), at.mirror(), at.written());
    } else {
      messager.printMessage(Kind.ERROR, message, at.element(), at.mirror());
    }
    errors++;
  }

  /** A note (not an error) on the member's written value, else on its annotation. */
  public void note(Attr<?> at, Diagnostic diagnostic, Object... args) {
    String message = diagnostic.format(args);
    if (at.written() != null) {
      messager.printMessage(Kind.NOTE, message, at.element(), at.mirror(), at.written());
    } else {
      messager.printMessage(Kind.NOTE, message, at.element(), at.mirror());
    }
  }

  /** A warning on the member's written value, else on its annotation; not counted as an error. */
  public void warning(Attr<?> at, Diagnostic diagnostic, Object... args) {
    String message = diagnostic.format(args);
    if (at.written() != null) {
      messager.printMessage(Kind.WARNING, message, at.element(), at.mirror(), at.written());
    } else {
      messager.printMessage(Kind.WARNING, message, at.element(), at.mirror());
    }
  }

  /** An error on an annotation. */
  public void error(Element element, AnnotationMirror mirror, Diagnostic diagnostic,
      Object... args) {
    messager.printMessage(Kind.ERROR, diagnostic.format(args), element, mirror);
    errors++;
  }

  /** An error on an element. */
  public void error(Element element, Diagnostic diagnostic, Object... args) {
    messager.printMessage(Kind.ERROR, diagnostic.format(args), element);
    errors++;
  }

  /** Errors reported so far. */
  public int errorCount() {
    return errors;
  }
}
