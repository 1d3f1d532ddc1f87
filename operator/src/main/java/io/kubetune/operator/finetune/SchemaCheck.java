package io.kubetune.operator.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.validation.CustomResourceValidator;
import io.kubetune.validation.Violation;
import java.util.List;

/**
 * A FineTuneJob as the operator read it, checked by the one validator against the CRD's own rules
 * (the generated schema and CEL rules, with the API server's messages). The API server has refused
 * an invalid object before it was stored; this catches one stored before the CRD was tightened (an
 * upgrade), or written where no schema is enforced (the tests' mock server): nothing is created for
 * it and its status says why.
 */
public final class SchemaCheck {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemaCheck() {}

  /** The API server's messages for what is wrong; empty for a valid job. */
  public static List<String> problems(FineTuneJob job) {
    return CustomResourceValidator.fineTuneJob().validate(JSON.valueToTree(job)).stream()
        .map(Violation::message)
        .toList();
  }
}
