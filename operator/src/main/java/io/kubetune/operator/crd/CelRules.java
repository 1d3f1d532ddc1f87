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
      "metadata.name must start with a lower-case letter and contain only lower-case letters,"
          + " digits and '-': it becomes a DNS label";

  /** A DNS-1123 subdomain (Secret, PersistentVolumeClaim names). */
  static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A resource.Quantity such as 500m, 8, 64Gi (the pattern kubebuilder emits). */
  static final String QUANTITY = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

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
