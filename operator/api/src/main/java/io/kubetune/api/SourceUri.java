package io.kubetune.api;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A location with a scheme: {@code file:///abs/path} or {@code pvc://claim/path}. The path is
 * normalised: no empty segment ({@code //}, so no absolute path inside a claim), no {@code .} or
 * {@code ..} segment, so a spec can never point outside its volume. Parsing refuses what the CRD's
 * rules refuse ({@link #PATTERN}, {@link #UNSAFE_PATH_CEL}).
 *
 * @param scheme "file" or "pvc"
 * @param claim the PersistentVolumeClaim name for pvc://, null for file://
 * @param path absolute for file://, relative to the claim's root for pvc:// ("" for the root)
 */
public record SourceUri(String scheme, String claim, String path) {

  /** The scheme part of {@link #parse} as a CRD pattern (RE2: no look-ahead). */
  public static final String PATTERN = "^(file:///|pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/|$))";

  /**
   * What a normalised path never has, after the scheme and the claim: an empty segment ({@code
   * //}), a {@code .} or a {@code ..} segment. RE2, for the CRD rule {@code
   * !self.matches(UNSAFE_PATH)}; {@link #parse} refuses the same.
   */
  public static final String UNSAFE_PATH = "^[a-z]+://[^/]*.*(//|/[.][.]?(/|$))";

  /** {@link #UNSAFE_PATH} quoted as a CEL string literal. */
  public static final String UNSAFE_PATH_CEL = "'" + UNSAFE_PATH + "'";

  /** The CRD rule on every URI field: a normalised path. */
  public static final String NORMALISED_RULE = "!self.matches(" + UNSAFE_PATH_CEL + ")";

  public static final String NOT_NORMALISED_MESSAGE =
      "the path must be normalised: no '//', '.' or '..' segment (a path inside a claim is"
          + " relative to it and stays inside it)";

  /** The longest URI a spec accepts (keeps the CRD's CEL rules cheap to evaluate). */
  public static final int MAX_LENGTH = 2048;

  private static final int MAX_CLAIM_NAME = 253;
  private static final Pattern UNSAFE = Pattern.compile(UNSAFE_PATH);

  /**
   * Parses {@code uri}, naming {@code field} in any error.
   *
   * @throws IllegalArgumentException for an empty value, an unknown scheme or a path that is not
   *     normalised
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
      requireNormalised(field, uri);
      return new SourceUri("file", null, stripSlashes(path));
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
      requireNormalised(field, uri);
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

  private static void requireNormalised(String field, String uri) {
    if (UNSAFE.matcher(uri).find()) {
      throw new IllegalArgumentException(
          field + ": " + NOT_NORMALISED_MESSAGE + ", got '" + uri + "'");
    }
  }

  /** A trailing slash names the same folder. */
  private static String stripSlashes(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }
}
