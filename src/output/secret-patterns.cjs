// The secret shapes authwrap masks: data only, read by src/redact.ts on the first redaction
// (a successful call never loads this file; build.mjs copies it beside dist/main.js).
//
// Every token pattern names the maintained rule it mirrors — `gitleaks:<id>` (config/gitleaks.toml
// of gitleaks) or `secretlint:<rule>` (@secretlint/secretlint-rule-<rule>) — or `authwrap` with the
// documented format when neither project has a rule for it. The patterns are written here from the
// providers' documented token formats, not copied from those projects.
//
// Rules for every pattern here (checked by test/redact.test.ts under hostile 1 MB input):
// - it matches the secret, and context only as capture group 1, which stays: the rest is masked;
// - no nested quantifiers; adjacent quantified classes are split by a literal or are bounded;
// - no lookbehinds but single-character ones (V8 runs a lookbehind at every position, and an
//   unbounded one rescans: quadratic on a long run of spaces);
// - a literal prefix wherever the format has one, listed in `hints`: the pattern runs only when
//   the text contains one of them, which keeps a 64 KiB redaction to a few milliseconds.
"use strict";

/** @type {import('./secret-patterns.cjs').TokenPattern[]} */
const TOKEN_PATTERNS = [
  // ── AWS ──
  // A 40-character secret access key right after its key id ("AKIA… wJal…", "ASIA…:wJal…"); before
  // the key-id pattern, which would otherwise mask the anchor first.
  {
    id: "aws-secret-after-key-id",
    mirrors: "secretlint:aws (AWSSecretAccessKey)",
    hints: ["AKIA", "ASIA"],
    pattern:
      /\b((?:AKIA|ASIA)[A-Z0-9]{16}[\s:=,/"'|]{1,5})[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
  },
  {
    id: "aws-access-key-id",
    mirrors: "gitleaks:aws-access-token",
    hints: [
      "A3T",
      "AKIA",
      "ASIA",
      "ABIA",
      "ACCA",
      "AGPA",
      "AIDA",
      "AIPA",
      "ANPA",
      "ANVA",
      "APKA",
      "AROA",
      "ASCA",
    ],
    pattern:
      /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}\b/g,
  },
  // STS session tokens are base64 of a binary blob with a fixed start: "IQoJb3JpZ2luX2Vj" (current),
  // "FwoGZXIvYXdz" (older).
  {
    id: "aws-session-token",
    mirrors: "authwrap (AWS STS session token prefixes)",
    hints: ["IQoJb3JpZ2luX2Vj", "FwoGZXIvYXdz"],
    pattern: /\b(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz)[A-Za-z0-9/+]{40,}={0,2}/g,
  },
  {
    id: "aws-bedrock-api-key-long-lived",
    mirrors: "gitleaks:aws-amazon-bedrock-api-key-long-lived",
    hints: ["ABSKQmVkcm9ja0FQSUtleS"],
    pattern: /\bABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{20,}={0,2}/g,
  },
  {
    id: "aws-bedrock-api-key-short-lived",
    mirrors: "gitleaks:aws-amazon-bedrock-api-key-short-lived",
    hints: ["bedrock-api-key-"],
    pattern:
      /\bbedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]{20,}={0,2}/g,
  },

  // ── Google ──
  {
    id: "gcp-api-key",
    mirrors: "gitleaks:gcp-api-key",
    hints: ["AIza"],
    pattern: /\bAIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/g,
  },
  {
    id: "google-oauth-access-token",
    mirrors: 'authwrap (Google OAuth 2.0 access tokens, "ya29.")',
    hints: ["ya29."],
    pattern: /\bya29\.[A-Za-z0-9._-]{20,}/g,
  },
  {
    id: "google-oauth-refresh-token",
    mirrors: 'authwrap (Google OAuth 2.0 refresh tokens, "1//0")',
    hints: ["1//0"],
    pattern: /(^|[^A-Za-z0-9_/])1\/\/0[A-Za-z0-9_-]{30,}/g,
  },
  {
    id: "google-oauth-client-secret",
    mirrors: 'authwrap (Google OAuth client secrets, "GOCSPX-")',
    hints: ["GOCSPX-"],
    pattern: /\bGOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/g,
  },

  // ── Azure ──
  {
    id: "azure-ad-client-secret",
    mirrors: "gitleaks:azure-ad-client-secret",
    hints: ["Q~"],
    pattern:
      /(^|[^A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
  },

  // ── Source hosting ──
  {
    id: "github-token",
    mirrors:
      "gitleaks:github-pat, github-oauth, github-app-token, github-refresh-token; secretlint:github",
    hints: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
    pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  },
  {
    id: "github-fine-grained-pat",
    mirrors: "gitleaks:github-fine-grained-pat; secretlint:github",
    hints: ["github_pat_"],
    pattern: /\bgithub_pat_[A-Za-z0-9_]{40,}\b/g,
  },
  {
    id: "gitlab-token",
    mirrors:
      "gitleaks:gitlab-pat, gitlab-pat-routable, gitlab-deploy-token, gitlab-feed-token, gitlab-runner-authentication-token, gitlab-ptt, gitlab-scim-token, gitlab-cicd-job-token, gitlab-incoming-mail-token, gitlab-kubernetes-agent-token, gitlab-feature-flag-client-token, gitlab-oauth-app-secret; secretlint:gitlab",
    hints: ["gl"],
    pattern:
      /\bgl(?:pat|dt|ft|rt|soat|cbt|imt|agent|ffct|ptt|oas)-[A-Za-z0-9_.-]{20,}/g,
  },
  {
    id: "gitlab-runner-registration-token",
    mirrors: "gitleaks:gitlab-rrt",
    hints: ["GR1348941"],
    pattern: /\bGR1348941[A-Za-z0-9_-]{20,}/g,
  },
  {
    id: "bitbucket-app-password",
    mirrors: 'authwrap (Atlassian app passwords, "ATBB")',
    hints: ["ATBB"],
    pattern: /\bATBB[A-Za-z0-9_=.-]{28,}/g,
  },
  {
    id: "atlassian-api-token",
    mirrors: "gitleaks:atlassian-api-token",
    hints: ["ATATT3", "ATCTT3"],
    pattern: /\bAT[AC]TT3[A-Za-z0-9_=-]{100,}/g,
  },

  // ── Chat ──
  {
    id: "slack-token",
    mirrors:
      "gitleaks:slack-bot-token, slack-user-token, slack-legacy-token, slack-legacy-workspace-token, slack-legacy-bot-token; secretlint:slack",
    hints: ["xox"],
    pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g,
  },
  {
    id: "slack-app-token",
    mirrors: "gitleaks:slack-app-token; secretlint:slack",
    hints: ["xapp-"],
    pattern: /\bxapp-\d-[A-Za-z0-9-]{10,}/g,
  },
  {
    id: "slack-config-token",
    mirrors: "gitleaks:slack-config-access-token, slack-config-refresh-token",
    hints: ["xoxe"],
    pattern: /\bxoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{20,}/g,
  },
  {
    id: "slack-webhook-url",
    mirrors: "gitleaks:slack-webhook-url; secretlint:slack",
    hints: ["hooks.slack.com"],
    pattern:
      /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9+/_-]{20,}/g,
  },
  {
    id: "discord-bot-token",
    mirrors: "gitleaks:discord-api-token (bot token format)",
    hints: ["."],
    pattern:
      /(^|[^A-Za-z0-9_-])[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_-])/g,
  },
  {
    id: "discord-webhook",
    mirrors: "authwrap (Discord webhook URLs)",
    hints: ["/api/webhooks/"],
    pattern:
      /(discord(?:app)?\.com\/api\/webhooks\/)\d{17,20}\/[A-Za-z0-9_-]{60,}/g,
  },
  {
    id: "telegram-bot-token",
    mirrors: "gitleaks:telegram-bot-api-token",
    hints: [":AA"],
    pattern: /(^|[^0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/g,
  },
  {
    id: "microsoft-teams-webhook",
    mirrors: "gitleaks:microsoft-teams-webhook",
    hints: ["webhook.office.com"],
    pattern: /(webhook\.office\.com\/webhookb2\/)[A-Za-z0-9@/._-]{40,}/g,
  },

  // ── Payments ──
  {
    id: "stripe-key",
    mirrors: "gitleaks:stripe-access-token; secretlint:stripe",
    hints: ["k_live_", "k_test_", "k_prod_"],
    pattern: /\b[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,}/g,
  },
  {
    id: "stripe-webhook-secret",
    mirrors: 'authwrap (Stripe webhook signing secrets, "whsec_")',
    hints: ["whsec_"],
    pattern: /\bwhsec_[A-Za-z0-9]{24,}/g,
  },
  {
    id: "square-access-token",
    mirrors: "gitleaks:square-access-token",
    hints: ["EAAA", "sq0atp-"],
    pattern: /\b(?:EAAA|sq0atp-)[A-Za-z0-9_-]{22,}/g,
  },
  {
    id: "square-oauth-secret",
    mirrors: 'authwrap (Square OAuth secrets, "sq0csp-")',
    hints: ["sq0csp-"],
    pattern: /\bsq0csp-[A-Za-z0-9_-]{40,}/g,
  },
  {
    id: "braintree-access-token",
    mirrors: "authwrap (PayPal/Braintree access tokens)",
    hints: ["access_token$"],
    pattern:
      /\baccess_token\$(?:production|sandbox)\$[a-z0-9]{16}\$[a-f0-9]{32}/g,
  },

  // ── AI providers ──
  {
    id: "anthropic-key",
    mirrors:
      "gitleaks:anthropic-api-key, anthropic-admin-api-key; secretlint:anthropic",
    hints: ["sk-ant-"],
    pattern: /\bsk-ant-(?:api|admin|oat|ort|sid)\d{2}-[A-Za-z0-9_-]{20,}/g,
  },
  {
    id: "openai-key",
    mirrors: "gitleaks:openai-api-key; secretlint:openai",
    hints: ["sk-"],
    pattern: /\bsk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}/g,
  },
  {
    id: "openrouter-key",
    mirrors: 'authwrap (OpenRouter keys, "sk-or-v1-")',
    hints: ["sk-or-"],
    pattern: /\bsk-or-v\d-[a-f0-9]{64}\b/g,
  },
  // Legacy OpenAI keys (sk- + 48, "T3BlbkFJ" inside) and other providers' sk- + 32 or more alphanumerics.
  {
    id: "sk-dash-key",
    mirrors: "gitleaks:openai-api-key (legacy form)",
    hints: ["sk-"],
    pattern: /\bsk-[A-Za-z0-9]{32,}\b/g,
  },
  {
    id: "huggingface-token",
    mirrors:
      "gitleaks:huggingface-access-token, huggingface-organization-api-token; secretlint:huggingface",
    hints: ["hf_", "api_org_"],
    pattern: /\b(?:hf_[A-Za-z0-9]{30,}|api_org_[A-Za-z]{34})\b/g,
  },
  {
    id: "replicate-token",
    mirrors: 'authwrap (Replicate API tokens, "r8_")',
    hints: ["r8_"],
    pattern: /\br8_[A-Za-z0-9]{37}\b/g,
  },
  {
    id: "groq-key",
    mirrors: "secretlint:groq",
    hints: ["gsk_"],
    pattern: /\bgsk_[A-Za-z0-9]{48,}\b/g,
  },
  {
    id: "perplexity-key",
    mirrors: "gitleaks:perplexity-api-key",
    hints: ["pplx-"],
    pattern: /\bpplx-[A-Za-z0-9]{48}\b/g,
  },
  {
    id: "xai-key",
    mirrors: 'authwrap (xAI API keys, "xai-")',
    hints: ["xai-"],
    pattern: /\bxai-[A-Za-z0-9]{70,}\b/g,
  },
  {
    id: "langsmith-key",
    mirrors: 'authwrap (LangSmith keys, "lsv2_")',
    hints: ["lsv2_"],
    pattern: /\blsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\b/g,
  },

  // ── Package registries ──
  {
    id: "npm-token",
    mirrors: "gitleaks:npm-access-token; secretlint:npm",
    hints: ["npm_"],
    pattern: /\bnpm_[A-Za-z0-9]{36}\b/g,
  },
  {
    id: "pypi-token",
    mirrors: "gitleaks:pypi-upload-token",
    hints: ["pypi-AgE"],
    pattern:
      /\bpypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}/g,
  },
  {
    id: "docker-hub-token",
    mirrors: "secretlint:docker",
    hints: ["dckr_"],
    pattern: /\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}/g,
  },
  {
    id: "rubygems-key",
    mirrors: "gitleaks:rubygems-api-token",
    hints: ["rubygems_"],
    pattern: /\brubygems_[a-f0-9]{48}\b/g,
  },
  {
    id: "nuget-key",
    mirrors: 'authwrap (NuGet.org API keys, "oy2" + 43)',
    hints: ["oy2"],
    pattern: /\boy2[a-z0-9]{43}\b/g,
  },

  // ── SaaS ──
  {
    id: "sendgrid-key",
    mirrors: "gitleaks:sendgrid-api-token; secretlint:sendgrid",
    hints: ["SG."],
    pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
  },
  {
    id: "twilio-sid",
    mirrors: "gitleaks:twilio-api-key (SK); authwrap (AC account SIDs)",
    hints: ["SK", "AC"],
    pattern: /\b(?:SK|AC)[a-f0-9]{32}\b/g,
  },
  {
    id: "mailgun-key",
    mirrors: "gitleaks:mailgun-private-api-token",
    hints: ["key-"],
    pattern: /\bkey-[a-f0-9]{32}\b/g,
  },
  {
    id: "mailchimp-key",
    mirrors: "gitleaks:mailchimp-api-key",
    hints: ["-us"],
    pattern: /\b[a-f0-9]{32}-us\d{1,2}\b/g,
  },
  {
    id: "shopify-token",
    mirrors:
      "gitleaks:shopify-access-token, shopify-custom-access-token, shopify-private-app-access-token, shopify-shared-secret; secretlint:shopify",
    hints: ["shp"],
    pattern: /\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b/g,
  },
  {
    id: "doppler-token",
    mirrors: "gitleaks:doppler-api-token",
    hints: ["dp."],
    pattern: /\bdp\.(?:st|sa|ct|pt|scim|audit)\.[A-Za-z0-9._-]{30,}/g,
  },
  {
    id: "databricks-token",
    mirrors: "gitleaks:databricks-api-token; secretlint:databricks",
    hints: ["dapi"],
    pattern: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g,
  },
  {
    id: "digitalocean-token",
    mirrors:
      "gitleaks:digitalocean-pat, digitalocean-access-token, digitalocean-refresh-token",
    hints: ["_v1_"],
    pattern: /\bdo[por]_v1_[a-f0-9]{64}\b/g,
  },
  {
    id: "linear-key",
    mirrors: "gitleaks:linear-api-key; secretlint:linear",
    hints: ["lin_"],
    pattern: /\blin_(?:api|oauth)_[A-Za-z0-9]{40}\b/g,
  },
  {
    id: "notion-token",
    mirrors: "gitleaks:notion-api-token; secretlint:notion",
    hints: ["secret_", "ntn_"],
    pattern: /\b(?:secret_[A-Za-z0-9]{43}|ntn_[A-Za-z0-9]{40,})\b/g,
  },
  {
    id: "heroku-key-v2",
    mirrors: "gitleaks:heroku-api-key-v2",
    hints: ["HRKU-"],
    pattern: /\bHRKU-AA[A-Za-z0-9_-]{58}(?![A-Za-z0-9_-])/g,
  },
  {
    id: "cloudflare-origin-ca-key",
    mirrors: "gitleaks:cloudflare-origin-ca-key; secretlint:cloudflare",
    hints: ["v1.0-"],
    pattern: /\bv1\.0-[a-f0-9]{24}-[a-f0-9]{146}\b/g,
  },
  {
    id: "flyio-token",
    mirrors: "gitleaks:flyio-access-token",
    hints: ["fo1_", "fm1", "fm2"],
    pattern:
      /\b(?:fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})/g,
  },
  {
    id: "supabase-token",
    mirrors:
      'authwrap (Supabase access tokens "sbp_", secret keys "sb_secret_")',
    hints: ["sbp_", "sb_secret_"],
    pattern: /\b(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,})/g,
  },
  {
    id: "planetscale-token",
    mirrors:
      "gitleaks:planetscale-api-token, planetscale-password, planetscale-oauth-token",
    hints: ["pscale_"],
    pattern: /\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}/g,
  },
  {
    id: "grafana-service-account-token",
    mirrors: "gitleaks:grafana-service-account-token; secretlint:grafana",
    hints: ["glsa_"],
    pattern: /\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b/g,
  },
  {
    id: "grafana-cloud-token",
    mirrors: "gitleaks:grafana-cloud-api-token; secretlint:grafana",
    hints: ["glc_"],
    pattern: /\bglc_[A-Za-z0-9+/]{32,}={0,2}/g,
  },
  {
    id: "grafana-api-key",
    mirrors: "gitleaks:grafana-api-key",
    hints: ["eyJrIjoi"],
    pattern: /\beyJrIjoi[A-Za-z0-9+/]{50,}={0,2}/g,
  },
  {
    id: "new-relic-key",
    mirrors:
      "gitleaks:new-relic-user-api-key, new-relic-insert-key, new-relic-browser-api-token",
    hints: ["NRAK-", "NRII-", "NRJS-"],
    pattern:
      /\b(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19})\b/g,
  },
  {
    id: "1password-service-account-token",
    mirrors: "gitleaks:1password-service-account-token; secretlint:1password",
    hints: ["ops_eyJ"],
    pattern: /\bops_eyJ[A-Za-z0-9+/_-]{100,}={0,3}/g,
  },
  {
    id: "1password-secret-key",
    mirrors: "gitleaks:1password-secret-key",
    hints: ["A3-"],
    pattern: /\bA3-[A-Z0-9]{6}-[A-Z0-9]{5,6}(?:-[A-Z0-9]{5}){3,4}\b/g,
  },
  {
    id: "pulumi-token",
    mirrors: "gitleaks:pulumi-api-token",
    hints: ["pul-"],
    pattern: /\bpul-[a-f0-9]{40}\b/g,
  },
  {
    id: "terraform-cloud-token",
    mirrors: "gitleaks:hashicorp-tf-api-token",
    hints: [".atlasv1."],
    pattern:
      /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}(?![A-Za-z0-9_=-])/g,
  },
  {
    id: "age-secret-key",
    mirrors: "gitleaks:age-secret-key",
    hints: ["AGE-SECRET-KEY-1"],
    pattern: /\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b/g,
  },
  {
    id: "vault-token",
    mirrors:
      "gitleaks:vault-service-token, vault-batch-token; secretlint:hashicorp-vault",
    hints: ["hvs.", "hvb.", "hvr."],
    pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/g,
  },
  // Pre-1.10 service tokens: "s." + 24 base62 characters with at least one digit, upper- and lower-case letter.
  {
    id: "vault-legacy-token",
    mirrors: 'gitleaks:vault-service-token (legacy "s." form)',
    hints: ["s."],
    pattern:
      /\bs\.(?=[A-Za-z0-9]{0,23}[0-9])(?=[A-Za-z0-9]{0,23}[A-Z])(?=[A-Za-z0-9]{0,23}[a-z])[A-Za-z0-9]{24}\b/g,
  },
  {
    id: "tailscale-key",
    mirrors: "secretlint:tailscale",
    hints: ["tskey-"],
    pattern: /\btskey-[a-z]{3,8}-[A-Za-z0-9-]{20,}/g,
  },
  {
    id: "postman-key",
    mirrors: "gitleaks:postman-api-token",
    hints: ["PMAK-"],
    pattern: /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/g,
  },
  {
    id: "sentry-token",
    mirrors: "gitleaks:sentry-user-token, sentry-org-token",
    hints: ["sntry"],
    pattern: /\bsntry[su]_[A-Za-z0-9+/=_-]{40,}/g,
  },
  {
    id: "airtable-pat",
    mirrors: "gitleaks:airtable-personnal-access-token",
    hints: ["pat"],
    pattern: /\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b/g,
  },
  {
    id: "mapbox-secret-token",
    mirrors: "gitleaks:mapbox-api-token",
    hints: ["sk.eyJ"],
    pattern: /\bsk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/g,
  },
  {
    id: "buildkite-token",
    mirrors: 'authwrap (Buildkite API tokens, "bkua_")',
    hints: ["bkua_"],
    pattern: /\bbkua_[a-f0-9]{40}\b/g,
  },
  {
    id: "figma-token",
    mirrors: "secretlint:figma",
    hints: ["figd_"],
    pattern: /\bfigd_[A-Za-z0-9_-]{40,}/g,
  },

  // ── Generic forms ──
  {
    id: "jwt",
    mirrors: "gitleaks:jwt",
    hints: ["eyJ"],
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  },
  {
    id: "bearer-credential",
    mirrors: "gitleaks:curl-auth-header (Bearer value)",
    hints: ["earer"],
    pattern: /\b([Bb]earer[ \t]{1,8})[A-Za-z0-9._~+/-]{16,}=*/g,
  },
  // The password in scheme://user:password@host (also an empty user: redis://:pw@host).
  {
    id: "url-password",
    mirrors: "secretlint:basicauth, database-connection-string",
    hints: ["://"],
    pattern:
      /(\b[a-z][a-z0-9+.-]{0,20}:\/\/[^\s:/@]{0,128}:)[^\s/]{1,256}(?=@)/gi,
  },
  // A token used as the whole userinfo: https://<sentry key>@o1.ingest.sentry.io/2, https://<token>@host/.
  {
    id: "url-token-user",
    mirrors: "authwrap (Sentry DSN keys and tokens as URL user names)",
    hints: ["://"],
    pattern: /(\b[a-z][a-z0-9+.-]{0,20}:\/\/)[A-Za-z0-9_-]{20,256}(?=@)/gi,
  },
  {
    id: "curl-user-password",
    mirrors: "gitleaks:curl-auth-user",
    hints: ["-u", "--user"],
    pattern:
      /((?:^|[\s"'])(?:-u|--user)(?:[ \t]{1,8}|=)["']?[^\s:"']{1,128}:)[^\s"']+/g,
  },
  // `-p X` only where it is a password for certain: after a registry login (docker, podman, helm, oras, az acr, cf…), and mysql's -pXXX.
  {
    id: "login-p-flag",
    mirrors: "authwrap (docker login -p)",
    hints: ["login"],
    pattern: /(\blogin\b[^\r\n]{0,200}?[ \t]-p[ \t]{1,8})[^\s"'-][^\s"']*/g,
  },
  {
    id: "mysql-p-flag",
    mirrors: "authwrap (mysql -pPASSWORD)",
    hints: ["mysql"],
    pattern:
      /(\bmysql(?:dump|admin|sh|show|import|check)?\b[^\r\n]{0,200}?[ \t]-p)[^\s"'-][^\s"']*/g,
  },
];

/** `-----BEGIN … PRIVATE KEY-----` and `-----END … PRIVATE KEY-----` (also PGP's "PRIVATE KEY BLOCK"). */
const PEM_HEADER =
  /-----(BEGIN|END)[A-Z0-9 ]{1,48}PRIVATE KEY(?: BLOCK)?-----/g;

/**
 * `name: value` and `name=value` (env vars, query strings, connection strings, YAML, JSON, flags
 * with "="). Only the name and separator are matched here; redact.ts decides from the name and
 * reads the value itself. mirrors: gitleaks:generic-api-key (keyword form), secretlint:no-dotenv.
 */
const ASSIGNMENT =
  /(?<![\w.-])-{0,2}(["']?)([A-Za-z_][\w.-]{0,63})(["']?)([ \t]{0,32}(?::=|[:=])[ \t]{0,32})/g;
/** The value after an assignment: a quoted string (JSON escapes allowed) or a bare word. */
const ASSIGNMENT_VALUE =
  /"(?:[^"\\\r\n]|\\.){0,8192}"|'[^'\r\n]{0,8192}'|[^\s"',;&]{1,8192}/y;
/** `--name value` (space-separated): redact.ts masks the value when the flag names a secret. */
const FLAG =
  /(?<![\w-])(--?[A-Za-z][A-Za-z0-9-]{2,40})[ \t]{1,8}(?![-<>|&;$])("[^"\r\n]{0,8192}"|'[^'\r\n]{0,8192}'|[^\s"']{1,8192})/g;
/** Authorization and Proxy-Authorization: the scheme is kept, the credential masked. mirrors: gitleaks:curl-auth-header */
const AUTHORIZATION =
  /\b((?:proxy-)?authorization)(["']?[ \t]*[:=][ \t]*["']?)(?:(bearer|basic|token|digest|ssws|negotiate|ntlm|oauth|dpop|splunk|api-?key|key|genie ?key|aws4-hmac-sha256|sharedkey|signature|hmac)[ \t]+)?([^\s"',;]{1,8192})/gi;
/** Cookie and Set-Cookie header values. */
const COOKIE =
  /\b((?:set-)?cookie)(["']?[ \t]*:[ \t]*["']?)([^\r\n"']{1,8192})/gi;

/** A normalised key name (lower case, letters and digits only) whose value is a secret. */
const SECRET_NAME =
  /(?:password|passwd|passphrase|pwd|secret|secretkey|secretkeybase|secretstring|secretbinary|token|apikey|accesskey|privatekey|credentials?|auth|authorization|authkey|accountkey|appkey|applicationkey|licensekey|masterkey|signingkey|encryptionkey|keydata|connectionstring|connstr|dsn|cookie|sig|signature)$/;
/** Names that end like a secret but are not: pagination and idempotency tokens, the shell's PWD. */
const NOT_SECRET_NAME =
  /^(?:pwd|oldpwd|(?:next|page|nextpage|starting|continuation|pagination|sync|client|resumption|idempotency|cancellation)token)$/;
/**
 * Space-separated flags whose value is a secret for certain (`--password X`, `--github-token X`,
 * keytool's -storepass, openssl's -passin). Narrower than SECRET_NAME: `--credentials` and
 * `--private-key` usually name a file, `--secret` (gcloud) a secret's name.
 */
const SECRET_FLAG =
  /^(?:[a-z0-9]*(?:password|passwd|passphrase|token|apikey|accesskey|secretkey|authkey|cookie)|[a-z0-9]+secret|storepass|srcstorepass|deststorepass|keypass|passin|passout|pass)$/;
/** Values that are never secrets: booleans, placeholders, references to a variable, masks. */
const PLACEHOLDER =
  /^(?:true|false|null|nil|none|undefined|yes|no|on|off|enabled|disabled|required|optional|redacted|\[REDACTED\]|\*+|x{3,}|\.{3}|…|<[^<>]*>|\$\{?[A-Za-z_]\w*\}?|%[A-Za-z_]\w*%|\{\{[^{}]*\}\})$/i;

module.exports = {
  TOKEN_PATTERNS,
  PEM_HEADER,
  ASSIGNMENT,
  ASSIGNMENT_VALUE,
  FLAG,
  AUTHORIZATION,
  COOKIE,
  SECRET_NAME,
  NOT_SECRET_NAME,
  SECRET_FLAG,
  PLACEHOLDER,
};
