// Runs a tool's declared probes (rule file `probes:`) in order; the first that finds a
// credential wins. No network, no subprocess: files and the environment only.
import type { ProbeSpec } from "../rules/schema.js";
import {
  probeAwsCliCache,
  probeAwsEnvExpiration,
  probeAwsSsoCache,
} from "./aws.js";
import { probeAzureMsalCache } from "./azure.js";
import { probeGhToken } from "./gh.js";
import { probeCurlAuth } from "./http.js";
import type { FoundCredential, ProbeInput } from "./found.js";
import { probeExecCredentialFile, probeKubeconfig } from "./kube.js";
import {
  probeEnvToken,
  probeEnvTokenFile,
  probeGcloudTokenFile,
} from "./token.js";

export async function probeCredential(
  probes: ProbeSpec[],
  input: ProbeInput,
): Promise<FoundCredential | undefined> {
  for (const probe of probes) {
    const found = await runProbe(probe, input);
    if (found) {
      input.log(
        `credential: ${found.kind} from ${found.source}${found.expiresAt ? `, expires ${new Date(found.expiresAt).toISOString()}` : ", no stated expiry"}`,
      );
      return found;
    }
  }
  return undefined;
}

function runProbe(
  probe: ProbeSpec,
  input: ProbeInput,
): FoundCredential | undefined | Promise<FoundCredential | undefined> {
  switch (probe.kind) {
    case "env_token":
      return probeEnvToken(probe.env, input);
    case "env_token_file":
      return probeEnvTokenFile(probe.env, input);
    case "aws_env_expiration":
      return probeAwsEnvExpiration(input);
    case "aws_cli_cache":
      return probeAwsCliCache(input);
    case "aws_sso_cache":
      return probeAwsSsoCache(input);
    case "kubeconfig":
      return probeKubeconfig(input);
    case "exec_credential_file":
      return probeExecCredentialFile(probe.path, input);
    case "azure_msal_cache":
      return probeAzureMsalCache(input);
    case "gcloud_access_token_file":
      return probeGcloudTokenFile(input);
    case "curl_auth":
      return probeCurlAuth(input);
    case "gh_token":
      return probeGhToken(input);
  }
}
