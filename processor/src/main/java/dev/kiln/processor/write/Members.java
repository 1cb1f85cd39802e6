package dev.kiln.processor.write;

import com.palantir.javapoet.NameAllocator;
import java.util.Collection;

/**
 * Unique, deterministic member names for one generated class: {@code name(layer, role)} is
 * {@code <layer><Role>}, made unique against every other member and Java keyword.
 */
final class Members {
  private final NameAllocator allocator = new NameAllocator();

  Members(Collection<String> reserved) {
    for (String name : reserved) {
      allocator.newName(name, "reserved:" + name);
    }
  }

  /**
   * A dotted path in camel case: {@code blocks.0.mlp.up} → {@code blocks0MlpUp}; {@code
   * query.weight} → {@code QueryWeight} when {@code capitalise}.
   */
  private static String camel(String path, boolean capitalise) {
    StringBuilder b = new StringBuilder();
    boolean upper = capitalise;
    for (char ch : path.toCharArray()) {
      if (ch == '.') {
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(ch) : ch);
        upper = false;
      }
    }
    return b.toString();
  }

  String name(String layer, String role) {
    String tag = layer + "#" + role;
    try {
      return allocator.get(tag);
    } catch (IllegalArgumentException unknown) {
      String camel = camel(layer, false);
      String suggestion = role.isEmpty() ? camel : camel + camel(role, true);
      return allocator.newName(suggestion, tag);
    }
  }
}
