package io.kubetune.api;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A location with a scheme: {@code file:///abs/path}, {@code pvc://claim/path}, and for the model
 * and datasets also {@code s3://bucket/key} (any S3-compatible store) and {@code
 * hf://[datasets/]org/name[@revision][/path]} (a HuggingFace Hub repository, as huggingface_hub's
 * HfFileSystem names it). The path is normalised: no empty segment ({@code //}, so no absolute path
 * inside a claim), no {@code .} or {@code ..} segment, so a spec can never point outside its
 * volume, bucket or repository. Parsing refuses what the CRD's rules refuse ({@link #PATTERN},
 * {@link #SOURCE_PATTERN}, {@link #UNSAFE_PATH_CEL}).
 *
 * @param scheme "file", "pvc", "s3" or "hf"
 * @param authority the claim (pvc), the bucket (s3), the repository id with its type prefix for
 *     datasets ("org/name" or "datasets/org/name", hf), null for file
 * @param path absolute for file://, relative to the claim, bucket or repository root otherwise (""
 *     for the root)
 * @param revision the branch, tag or commit of an hf:// repository (null: main); null otherwise
 */
public record SourceUri(String scheme, String authority, String path, String revision) {

  /** Where outputs and served models may be: file:// or pvc:// (RE2: no look-ahead). */
  public static final String PATTERN = "^(file:///|pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/|$))";

  /** The bucket of an s3:// URI, as S3 names buckets (3 to 63 characters). */
  private static final String BUCKET = "[a-z0-9][-a-z0-9.]{1,61}[a-z0-9]";

  /** One part of a HuggingFace repository id (an organisation or a name). */
  private static final String HF_NAME = "[A-Za-z0-9][-A-Za-z0-9_.]{0,95}";

  /** A branch, tag or commit: no '/', and never '.' or '..'. */
  private static final String HF_REVISION = "[A-Za-z0-9_][-A-Za-z0-9_.]{0,127}";

  /**
   * Where a model or a dataset may come from: {@link #PATTERN}'s schemes, s3:// and hf:// (RE2).
   */
  public static final String SOURCE_PATTERN =
      "^(file:///|pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/|$)|s3://"
          + BUCKET
          + "(/|$)|hf://(datasets/)?"
          + HF_NAME
          + "/"
          + HF_NAME
          + "(@"
          + HF_REVISION
          + ")?(/|$))";

  /**
   * What a normalised path never has, after the scheme and the claim: an empty segment ({@code
   * //}), a {@code .} or a {@code ..} segment. RE2, for the CRD rule {@code
   * !self.matches(UNSAFE_PATH)}; {@link #parse} refuses the same.
   */
  public static final String UNSAFE_PATH = "^[a-z0-9]+://[^/]*.*(//|/[.][.]?(/|$))";

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
  private static final Pattern S3 = Pattern.compile("^s3://(" + BUCKET + ")(/(.*))?$");
  private static final Pattern HF =
      Pattern.compile(
          "^hf://((datasets/)?" + HF_NAME + "/" + HF_NAME + ")(@(" + HF_REVISION + "))?(/(.*))?$");

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
      return new SourceUri("file", null, stripSlashes(path), null);
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
      return new SourceUri("pvc", claim, stripSlashes(path), null);
    }
    if (uri.startsWith("s3://")) {
      Matcher m = S3.matcher(uri);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            field
                + ": not a valid s3://bucket/key in '"
                + uri
                + "' (bucket: 3 to 63 lower-case letters, digits, '.' and '-')");
      }
      requireNormalised(field, uri);
      return new SourceUri(
          "s3", m.group(1), stripSlashes(m.group(3) == null ? "" : m.group(3)), null);
    }
    if (uri.startsWith("hf://")) {
      Matcher m = HF.matcher(uri);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            field + ": not a valid hf://[datasets/]org/name[@revision][/path] in '" + uri + "'");
      }
      requireNormalised(field, uri);
      return new SourceUri(
          "hf", m.group(1), stripSlashes(m.group(6) == null ? "" : m.group(6)), m.group(4));
    }
    int colon = uri.indexOf("://");
    String scheme = colon < 0 ? "(none)" : uri.substring(0, colon);
    throw new IllegalArgumentException(
        field
            + ": unsupported scheme '"
            + scheme
            + "' in '"
            + uri
            + "'; use file:///abs/path, pvc://claim/path, s3://bucket/key or hf://org/name");
  }

  /** The PersistentVolumeClaim of a pvc:// URI, null otherwise. */
  public String claim() {
    return "pvc".equals(scheme) ? authority : null;
  }

  /** Whether the source lies outside the pod's volumes (s3://, hf://) and must be fetched. */
  public boolean remote() {
    return "s3".equals(scheme) || "hf".equals(scheme);
  }

  /**
   * The local path of a file:// URI, or of a pvc:// URI whose claim is mounted at mountRoot.
   *
   * @throws IllegalStateException for an s3:// or hf:// URI, which must be fetched first
   */
  public Path resolve(Path mountRoot) {
    return switch (scheme) {
      case "file" -> Path.of(path);
      case "pvc" -> mountRoot.resolve(authority).resolve(path);
      default -> throw new IllegalStateException(scheme + ":// sources are fetched, not mounted");
    };
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
