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

  String name(String layer, String role) {
    String tag = layer + "#" + role;
    try {
      return allocator.get(tag);
    } catch (IllegalArgumentException unknown) {
      String suggestion = role.isEmpty() ? layer
          : layer + Character.toUpperCase(role.charAt(0)) + role.substring(1);
      return allocator.newName(suggestion, tag);
    }
  }
}
