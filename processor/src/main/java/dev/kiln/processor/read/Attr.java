package dev.kiln.processor.read;

import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;

/**
 * One annotation member's value with where it came from, so a diagnostic can point at it.
 *
 * @param value the value (with the annotation's default applied)
 * @param element the annotated element
 * @param mirror the annotation
 * @param written the value as written in source, or null where the default applies (a diagnostic
 *     then points at the annotation)
 */
public record Attr<T>(T value, Element element, AnnotationMirror mirror, AnnotationValue written) {}
