package io.kubetune.validation;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a value is: printed as the API server prints field paths ({@code spec.datasets[0].source},
 * map keys as {@code [key]}, {@code <nil>} for the root) and as a JSON pointer into the document.
 */
final class FieldPath {
  private final List<Object> segments;

  private FieldPath(List<Object> segments) {
    this.segments = segments;
  }

  static FieldPath root() {
    return new FieldPath(List.of());
  }

  /** A path that starts below the document's root, e.g. at /spec printed as spec. */
  static FieldPath of(String... names) {
    FieldPath p = root();
    for (String n : names) {
      p = p.child(n);
    }
    return p;
  }

  FieldPath child(String name) {
    return append(new Name(name));
  }

  FieldPath index(int i) {
    return append(i);
  }

  FieldPath key(String key) {
    return append(new Key(key));
  }

  /** A rule's fieldPath, e.g. ".spec.model" (dotted names only, as our rules use). */
  FieldPath relative(String rulePath) {
    FieldPath p = this;
    for (String name : rulePath.split("\\.")) {
      if (!name.isEmpty()) {
        p = p.child(name);
      }
    }
    return p;
  }

  boolean isRoot() {
    return segments.isEmpty();
  }

  String pointer() {
    StringBuilder s = new StringBuilder();
    for (Object o : segments) {
      String part =
          o instanceof Name n ? n.name() : o instanceof Key k ? k.key() : String.valueOf(o);
      s.append('/').append(part.replace("~", "~0").replace("/", "~1"));
    }
    return s.toString();
  }

  @Override
  public String toString() {
    if (segments.isEmpty()) {
      return "<nil>";
    }
    StringBuilder s = new StringBuilder();
    for (Object o : segments) {
      if (o instanceof Name n) {
        s.append(s.isEmpty() ? "" : ".").append(n.name());
      } else if (o instanceof Key k) {
        s.append('[').append(k.key()).append(']');
      } else {
        s.append('[').append(o).append(']');
      }
    }
    return s.toString();
  }

  private FieldPath append(Object segment) {
    List<Object> next = new ArrayList<>(segments);
    next.add(segment);
    return new FieldPath(List.copyOf(next));
  }

  private record Name(String name) {}

  private record Key(String key) {}
}
