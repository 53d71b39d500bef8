// Field errors, the one shape every check reports in (a path and how to fix it), and the name rules
// Kubernetes applies to the objects the functions read and write.

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export const formatErrors = (errors: readonly FieldError[]): string =>
  errors.map((e) => `${e.path}: ${e.message}`).join("; ");

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// What Kubernetes accepts as the name of a custom resource (RFC 1123 subdomain, at most 253 characters).
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// The Service is vmcp-<name>, and a Service name is a DNS label of at most 63 characters.
export const MAX_NAME_LENGTH = 58;

export const isObjectName = (name: string): boolean => DNS_SUBDOMAIN.test(name);
/** Lowercase letters, digits and '-', starting and ending alphanumeric (RFC 1123 label; length apart). */
export const isDnsLabel = (name: string): boolean => DNS_LABEL.test(name);
export const isNamespaceName = (name: string): boolean => name.length <= 63 && isDnsLabel(name);
