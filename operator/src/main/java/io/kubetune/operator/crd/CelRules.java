package io.kubetune.operator.crd;

/**
 * CEL rules and patterns shared by the custom resource types. Constants, so that they can be used
 * in annotations; each message names the field it is about.
 */
final class CelRules {
  private CelRules() {}

  /** A DNS-1035 label: the names of Services, Jobs and their pods' hostnames. */
  static final String DNS_LABEL_RULE = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')";

  static final String DNS_LABEL_MESSAGE =
      "must start with a lower-case letter and contain only lower-case letters, digits and '-':"
          + " it becomes a DNS label";

  /** Where the name rules point (the CRD post-processing declares metadata.name for them). */
  static final String NAME = ".metadata.name";

  /** A DNS-1123 subdomain (Secret, PersistentVolumeClaim names). */
  static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /**
   * A positive resource.Quantity such as 500m, 8, 64Gi, read by the API server's own parser (the
   * Kubernetes CEL quantity library): -8Gi, 0 and 1.2.3 are refused here rather than when the
   * operator creates the pod or the claim.
   */
  static final String POSITIVE_QUANTITY =
      "isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))";

  static final String POSITIVE_QUANTITY_MESSAGE =
      "must be a quantity greater than zero, e.g. 500m, 8, 64Gi";

  /** Long enough for any quantity a pod or a claim asks for; bounds the rule's cost. */
  static final int QUANTITY_MAX_LENGTH = 64;

  /**
   * True when the job has started running: the training part of its spec must then stay as it is.
   * Root-level transition rule: status is the stored one for any update of the spec.
   */
  static final String STARTED =
      "has(oldSelf.status) && has(oldSelf.status.phase)"
          + " && oldSelf.status.phase in ['Running', 'Exporting', 'Succeeded']";

  static final String FROZEN =
      " may only change while the job is Pending, Suspended or Failed (it is Running, Exporting"
          + " or Succeeded)";
}
