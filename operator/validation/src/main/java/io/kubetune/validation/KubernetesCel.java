package io.kubetune.validation;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Google's CEL for Java set up as the API server sets up CEL for CRD rules: {@code self} and {@code
 * oldSelf}, partial-match {@code matches()} (RE2), comparisons across int and double, and the
 * functions of the Kubernetes quantity library that our rules use ({@code isQuantity}, {@code
 * quantity}, {@code sign}, {@code isGreaterThan}, {@code isLessThan}, {@code compareTo}). A rule
 * that calls anything else does not compile here: CelRulesCompileTest then fails, so a new function
 * cannot slip into the CRD without its Java twin.
 */
final class KubernetesCel {
  static final CelType QUANTITY = OpaqueType.create("kubernetes.Quantity");

  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setOptions(
              CelOptions.current()
                  .enableHeterogeneousNumericComparisons(true)
                  .enableRegexPartialMatch(true)
                  .build())
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .addFunctionDeclarations(
              CelFunctionDecl.newFunctionDeclaration(
                  "isQuantity",
                  CelOverloadDecl.newGlobalOverload(
                      "is_quantity_string", SimpleType.BOOL, SimpleType.STRING)),
              CelFunctionDecl.newFunctionDeclaration(
                  "quantity",
                  CelOverloadDecl.newGlobalOverload(
                      "string_to_quantity", QUANTITY, SimpleType.STRING)),
              CelFunctionDecl.newFunctionDeclaration(
                  "sign",
                  CelOverloadDecl.newGlobalOverload("quantity_sign", SimpleType.INT, QUANTITY)),
              CelFunctionDecl.newFunctionDeclaration(
                  "isGreaterThan",
                  CelOverloadDecl.newMemberOverload(
                      "quantity_is_greater_than", SimpleType.BOOL, QUANTITY, QUANTITY)),
              CelFunctionDecl.newFunctionDeclaration(
                  "isLessThan",
                  CelOverloadDecl.newMemberOverload(
                      "quantity_is_less_than", SimpleType.BOOL, QUANTITY, QUANTITY)),
              CelFunctionDecl.newFunctionDeclaration(
                  "compareTo",
                  CelOverloadDecl.newMemberOverload(
                      "quantity_compare_to", SimpleType.INT, QUANTITY, QUANTITY)))
          .addFunctionBindings(
              CelFunctionBinding.from(
                  "is_quantity_string", String.class, s -> Quantity.parse(s).isPresent()),
              CelFunctionBinding.from("string_to_quantity", String.class, KubernetesCel::quantity),
              CelFunctionBinding.from("quantity_sign", Quantity.class, q -> (long) q.sign()),
              CelFunctionBinding.from(
                  "quantity_is_greater_than",
                  Quantity.class,
                  Quantity.class,
                  (a, b) -> a.compareTo(b) > 0),
              CelFunctionBinding.from(
                  "quantity_is_less_than",
                  Quantity.class,
                  Quantity.class,
                  (a, b) -> a.compareTo(b) < 0),
              CelFunctionBinding.from(
                  "quantity_compare_to",
                  Quantity.class,
                  Quantity.class,
                  (a, b) -> (long) Integer.signum(a.compareTo(b))))
          .build();

  private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

  private KubernetesCel() {}

  /** The compiled rule (cached: the CRDs' rules are compiled once per process). */
  static CelRuntime.Program program(String rule) {
    return PROGRAMS.computeIfAbsent(rule, KubernetesCel::compile);
  }

  private static CelRuntime.Program compile(String rule) {
    try {
      CelAbstractSyntaxTree ast = CEL.compile(rule).getAst();
      return CEL.createProgram(ast);
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalStateException(
          "CRD rule does not compile: " + rule + ": " + e.getMessage(), e);
    }
  }

  private static Quantity quantity(String s) throws CelEvaluationException {
    return Quantity.parse(s)
        .orElseThrow(
            () -> new CelEvaluationException("quantities must match the regular expression"));
  }
}
