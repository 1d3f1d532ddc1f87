package io.kubetune.api;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A location with a scheme: {@code file:///abs/path} or {@code pvc://claim/path}. Parsing rejects
 * unknown schemes and path traversal so that a spec can never point outside its volume.
 *
 * @param scheme "file" or "pvc"
 * @param claim the PersistentVolumeClaim name for pvc://, null for file://
 * @param path absolute for file://, relative to the claim's root for pvc:// ("" for the root)
 */
public record SourceUri(String scheme, String claim, String path) {

  /** The scheme part of {@link #parse} as a CRD pattern (RE2: no look-ahead). */
  public static final String PATTERN = "^(file:///|pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/|$))";

  /**
   * The traversal part of {@link #parse} as an RE2 expression quoted for CEL: a CRD rule {@code
   * !self.field.matches(TRAVERSAL_CEL)} refuses what parse refuses.
   */
  public static final String TRAVERSAL_CEL = "'(^|/)[.][.](/|$)'";

  /** The longest URI a spec accepts (keeps the CRD's CEL rules cheap to evaluate). */
  public static final int MAX_LENGTH = 2048;

  public static final String NO_TRAVERSAL_MESSAGE = "'..' is not allowed in a path";

  private static final int MAX_CLAIM_NAME = 253;

  /**
   * Parses {@code uri}, naming {@code field} in any error.
   *
   * @throws IllegalArgumentException for an empty value, an unknown scheme or a ".." segment
   */
  public static SourceUri parse(String field, String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException(field + ": must not be empty");
    }
    if (uri.startsWith("file://")) {
      String path = uri.substring("file://".length());
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException(
            field + ": file URIs need an absolute path (file:///abs/path), got '" + uri + "'");
      }
      rejectTraversal(field, uri, path);
      return new SourceUri("file", null, Path.of(path).normalize().toString());
    }
    if (uri.startsWith("pvc://")) {
      String rest = uri.substring("pvc://".length());
      int slash = rest.indexOf('/');
      String claim = slash < 0 ? rest : rest.substring(0, slash);
      String path = slash < 0 ? "" : rest.substring(slash + 1);
      if (claim.isEmpty()
          || claim.length() > MAX_CLAIM_NAME
          || !claim.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
        throw new IllegalArgumentException(
            field + ": '" + claim + "' is not a valid PersistentVolumeClaim name in '" + uri + "'");
      }
      rejectTraversal(field, uri, path);
      return new SourceUri("pvc", claim, stripSlashes(path));
    }
    int colon = uri.indexOf("://");
    String scheme = colon < 0 ? "(none)" : uri.substring(0, colon);
    throw new IllegalArgumentException(
        field
            + ": unsupported scheme '"
            + scheme
            + "' in '"
            + uri
            + "'; use file:///abs/path or pvc://claim/path");
  }

  /** The local path of a file:// URI, or of a pvc:// URI whose claim is mounted at mountRoot. */
  public Path resolve(Path mountRoot) {
    return "file".equals(scheme) ? Path.of(path) : mountRoot.resolve(claim).resolve(path);
  }

  private static void rejectTraversal(String field, String uri, String path) {
    if (Arrays.asList(path.split("/")).contains("..")) {
      throw new IllegalArgumentException(
          field + ": '..' is not allowed in a path, got '" + uri + "'");
    }
  }

  private static String stripSlashes(String path) {
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
