package dev.kiln.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class written by the Kiln processor. Coverage tools that skip annotations whose simple
 * name contains "Generated" (JaCoCo) leave these classes out.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface KilnGenerated {
  /** The annotated type the class was generated from. */
  String value();
}
