// The SSM SecureStrings the functions read (the webhook's path token, a static cluster token), through
// Powertools' parameters and its cache. The SSM client is loaded with the first read: the admission function
// reads its token once per container, and with EKS tokens the reconcile side never reads one.
import { onFirstUse } from "./on-first-use.ts";

const ssm = onFirstUse(() => import("@aws-lambda-powertools/parameters/ssm"));

/** The parameter's decrypted value, cached for `maxAgeSeconds`; an empty one is an error naming it. */
export async function secureParameter(name: string, maxAgeSeconds: number): Promise<string> {
  const { getParameter } = await ssm();
  const value = await getParameter(name, { decrypt: true, maxAge: maxAgeSeconds });
  if (!value) throw new Error(`the SSM parameter ${name} is empty`);
  return value;
}
