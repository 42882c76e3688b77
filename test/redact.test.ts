import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  createRedactor,
  redactData,
  redactSecrets,
  redactThenCut,
} from "../src/output/redact.js";
import type * as PatternTable from "../src/output/secret-patterns.cjs";
import {
  contextOf,
  fake,
  ORDINARY_TEXT,
  SECRET_SHAPES,
  survivingPiece,
} from "./secrets-corpus.js";

const table = createRequire(import.meta.url)(
  "../src/output/secret-patterns.cjs",
) as typeof PatternTable;
const redact = createRedactor({});

// Token shapes as the services issue them (random bodies of the documented length and alphabet).
const TOKENS: Array<[string, string]> = [
  ["AWS access key id", "AKIAIOSFODNN7EXAMPLE"],
  ["AWS temporary key id", "ASIAY34FZKBOKMUTVV7A"],
  [
    "JWT",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZXhwIjoxNzAwMDAwMDAwfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
  ],
  ["GitHub classic PAT", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"],
  ["GitHub OAuth token", "gho_16C7e42F292c6912E7710c838347Ae178B4a"],
  ["GitHub app user token", "ghu_16C7e42F292c6912E7710c838347Ae178B4a"],
  [
    "GitHub fine-grained PAT",
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
  ],
  ["Google access token", "ya29.a0AfH6SMBx3kqL9Yf0example_token-value.more"],
  [
    "Slack bot token",
    "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
  ],
  ["Google refresh token", "1//0gLbEXAMPLE-refresh_Token1234567890abcdefXYZ"],
  ["npm automation token", "npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"],
  ["GitLab PAT", "glpat-AbCdEfGhIj0123456789"],
];

describe("redactSecrets", () => {
  it.each(TOKENS)("masks a %s", (_name, token) => {
    const out = redactSecrets(`before ${token} after`);
    expect(out).toBe("before [REDACTED] after");
  });

  it("masks Authorization header values, keeping the scheme", () => {
    expect(redactSecrets("Authorization: Bearer abc.def-123")).toBe(
      "Authorization: Bearer [REDACTED]",
    );
    expect(redactSecrets("authorization: Basic dXNlcjpwYXNz")).toBe(
      "authorization: Basic [REDACTED]",
    );
    expect(
      redactSecrets(
        "Authorization: SSWS 00abcdefghijklmnopqrstuvwxyz0123456789ABCD",
      ),
    ).toBe("Authorization: SSWS [REDACTED]");
    expect(
      redactSecrets('{"Authorization": "Bearer abcdefghij0123456789"}'),
    ).toBe('{"Authorization": "Bearer [REDACTED]"}');
  });

  it("masks passwords in URLs and secret assignments", () => {
    expect(redactSecrets("https://user:hunter22@example.com/repo.git")).toBe(
      "https://user:[REDACTED]@example.com/repo.git",
    );
    expect(redactSecrets("redis://:hunter22@cache:6379/0")).toBe(
      "redis://:[REDACTED]@cache:6379/0",
    );
    expect(
      redactSecrets(
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      ),
    ).toBe("aws_secret_access_key = [REDACTED]");
    expect(redactSecrets("--password=hunter2222")).toBe(
      "--password=[REDACTED]",
    );
    expect(redactSecrets('  password: "correct horse"')).toBe(
      '  password: "[REDACTED]"',
    );
  });

  it("masks the value of secret flags only", () => {
    expect(redactSecrets("mycli --token abc123def456 --region eu-west-1")).toBe(
      "mycli --token [REDACTED] --region eu-west-1",
    );
    expect(
      redactSecrets("docker login -u ci --password-stdin registry.example.com"),
    ).toBe("docker login -u ci --password-stdin registry.example.com");
    expect(
      redactSecrets(
        "aws s3 ls --starting-token eyJNYXJrZXIiOiBudWxsfQ== --max-items 5",
      ),
    ).toBe("aws s3 ls --starting-token eyJNYXJrZXIiOiBudWxsfQ== --max-items 5");
    expect(redactSecrets("ssh -p 2222 host")).toBe("ssh -p 2222 host");
    expect(
      redactSecrets("docker login -u ci -p s3cr3t-value registry.example.com"),
    ).toBe("docker login -u ci -p [REDACTED] registry.example.com");
  });

  it("masks a PEM private key body, also when its END or BEGIN line was cut off", () => {
    const body = `${fake("pem-a", "ABCDEFGHabcdefgh0123456789+/", 64)}\n${fake("pem-b", "ABCDEFGHabcdefgh0123456789+/", 40)}==\n`;
    const whole = `-----BEGIN RSA PRIVATE KEY-----\n${body}-----END RSA PRIVATE KEY-----`;
    expect(redactSecrets(whole)).toBe(
      "-----BEGIN RSA PRIVATE KEY-----\n[REDACTED]\n-----END RSA PRIVATE KEY-----",
    );
    expect(
      survivingPiece(
        redactSecrets(`key: -----BEGIN PRIVATE KEY-----\n${body}`),
        body,
      ),
    ).toBeNull();
    expect(
      survivingPiece(
        redactSecrets(
          `[authwrap: 100 bytes not kept]\n${body}-----END PRIVATE KEY-----\n`,
        ),
        body,
      ),
    ).toBeNull();
    const certificate =
      "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----";
    expect(redactSecrets(certificate)).toBe(certificate);
  });

  it("leaves ordinary text alone", () => {
    const text =
      "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation";
    expect(redactSecrets(text)).toBe(text);
  });
});

describe("the secrets corpus", () => {
  it("has at least 70 distinct shapes, each line holding its secret", () => {
    expect(SECRET_SHAPES.length).toBeGreaterThanOrEqual(70);
    expect(new Set(SECRET_SHAPES.map((shape) => shape.name)).size).toBe(
      SECRET_SHAPES.length,
    );
    for (const shape of SECRET_SHAPES) {
      expect(shape.secret.length, shape.name).toBeGreaterThanOrEqual(8);
      expect(shape.line, shape.name).toContain(shape.secret);
    }
  });

  it.each(SECRET_SHAPES.map((shape) => [shape.name, shape] as const))(
    "masks %s fully",
    (_name, shape) => {
      const out = redactSecrets(shape.line);
      expect(survivingPiece(out, shape.secret), out).toBeNull();
      expect(out).toContain("[REDACTED]");
      // Masking masked text changes nothing.
      expect(redactSecrets(out)).toBe(out);
    },
  );

  it("masks every shape when they all come in one text", () => {
    const text = SECRET_SHAPES.map((shape) => shape.line).join("\n");
    const out = redactSecrets(text);
    const context = contextOf(SECRET_SHAPES);
    for (const shape of SECRET_SHAPES)
      expect(survivingPiece(out, shape.secret, context), shape.name).toBeNull();
  });

  it.each(
    ORDINARY_TEXT.map(
      (text) => [text.split("\n")[0]!.slice(0, 70), text] as const,
    ),
  )("leaves alone: %s", (_label, text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});

describe("accepted false positives", () => {
  // Masked although they are not secrets; each is the price of catching a real shape.
  it.each([
    [
      "an AWS access key id (an identifier; the key-id pattern anchors the secret after it)",
      "key AKIAIOSFODNN7EXAMPLE",
      "key [REDACTED]",
    ],
    [
      "a Twilio account SID (an identifier, but Twilio URLs carry it beside the auth token)",
      `Accounts/AC${"0".repeat(32)}/Messages`,
      "Accounts/[REDACTED]/Messages",
    ],
    [
      'any value of a secret-named key with "=" (token=expired)',
      "token=expired",
      "token=[REDACTED]",
    ],
    [
      "gcloud's --secret=NAME (a secret's name)",
      "gcloud secrets versions access 1 --secret=db-password",
      "gcloud secrets versions access 1 --secret=[REDACTED]",
    ],
    [
      "a group id after -u (docker run -u uid:gid reads like curl -u user:password)",
      "docker run -u 1000:1000 alpine",
      "docker run -u 1000:[REDACTED] alpine",
    ],
    [
      "every cookie value, not only session cookies",
      "Cookie: theme=dark",
      "Cookie: theme=[REDACTED]",
    ],
    [
      "a URL user name of 20 or more token characters",
      "https://averyveryverylongusername@example.com/",
      "https://[REDACTED]@example.com/",
    ],
    [
      "words after a BEGIN PRIVATE KEY line with no key",
      "-----BEGIN PRIVATE KEY----- is missing",
      "-----BEGIN PRIVATE KEY----- [REDACTED]",
    ],
    [
      'a 16+ character word after "Bearer"',
      "Bearer authentication-required",
      "Bearer [REDACTED]",
    ],
    [
      '"s." and 24 mixed-case letters and digits (a pre-1.10 Vault token)',
      "see s.AbCdEfGhIjKlMnOpQrStUv12",
      "see [REDACTED]",
    ],
  ])("%s", (_why, text, masked) => {
    expect(redactSecrets(text)).toBe(masked);
  });
});

describe("the pattern table", () => {
  const structural = {
    PEM_HEADER: table.PEM_HEADER,
    ASSIGNMENT: table.ASSIGNMENT,
    ASSIGNMENT_VALUE: table.ASSIGNMENT_VALUE,
    FLAG: table.FLAG,
    AUTHORIZATION: table.AUTHORIZATION,
    COOKIE: table.COOKIE,
  };
  const all: Array<[string, RegExp]> = [
    ...table.TOKEN_PATTERNS.map(
      (entry) => [entry.id, entry.pattern] as [string, RegExp],
    ),
    ...Object.entries(structural),
  ];

  it("cites, for every token pattern, the gitleaks or secretlint rule it mirrors (or the documented format)", () => {
    expect(new Set(table.TOKEN_PATTERNS.map((entry) => entry.id)).size).toBe(
      table.TOKEN_PATTERNS.length,
    );
    for (const entry of table.TOKEN_PATTERNS) {
      expect(entry.mirrors, entry.id).toMatch(
        /^(?:gitleaks:[a-z0-9-]+|secretlint:[a-z0-9-]+|authwrap \(.+\))/,
      );
      expect(entry.pattern.flags, entry.id).toContain("g");
    }
  });

  it("has no nested unbounded quantifiers and no lookbehind but a one-character one", () => {
    // A group that contains a quantifier, itself repeated without bound: (a+)+, (?:x*y)*, (…{2,}){1,}.
    const nested =
      /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\})/;
    const lookbehinds = /\(\?<[=!]((?:[^()\\]|\\.)*)\)/g;
    const oneCharacter = /^(?:\[(?:[^\]\\]|\\.)*\]|\\.|[^[\\])$/;
    expect(
      ["(a+)+b", "(?:x*y)*", "(?:ab{2,}){1,}"].every((source) =>
        nested.test(source),
      ),
    ).toBe(true);
    expect(
      [..."(?<=x[ \\t]+)y".matchAll(lookbehinds)].map((m) =>
        oneCharacter.test(m[1]!),
      ),
    ).toEqual([false]);
    for (const [id, pattern] of all) {
      expect(pattern.source, id).not.toMatch(nested);
      for (const lookbehind of pattern.source.matchAll(lookbehinds))
        expect(lookbehind[1], `${id}: ${lookbehind[0]}`).toMatch(oneCharacter);
    }
  });

  describe("linear time: every pattern, and the whole redactor, under 1 MB of hostile input", () => {
    const MB = 1 << 20;
    const fill = (unit: string) =>
      unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
    const hints = [
      ...new Set(table.TOKEN_PATTERNS.flatMap((entry) => entry.hints ?? [])),
    ];
    const hostile: Record<string, string> = {
      "one letter": fill("a"),
      "upper case": fill("A"),
      base64: fill("Ab0+/"),
      "base64url with dashes": fill("Ab0_-"),
      "every literal prefix, spaced": fill(`${hints.join(" ")} `),
      "every literal prefix, glued": fill(hints.join("")),
      "scheme without host": fill("x://"),
      "user without password end": fill("x://a:"),
      "at signs": fill("a:b@"),
      "BEGIN lines without END": fill("-----BEGIN PRIVATE KEY-----"),
      "END lines without BEGIN": fill("-----END RSA PRIVATE KEY-----"),
      "key body without END": `-----BEGIN PRIVATE KEY-----\n${fill("QUJD\n")}`,
      assignments: fill("a="),
      "colon pairs": fill("a: "),
      "open JSON strings": fill('"password":"'),
      "escaped quotes": `"password": "${fill('\\"')}`,
      flags: fill("--token "),
      "Authorization headers": fill("Authorization: "),
      "Cookie headers": fill("Cookie: a="),
      "login -p": fill("login -p "),
      "curl -u": fill("-u a:"),
      "JWT starts": fill("eyJaaaaaaaa."),
      "key ids and separators": fill("AKIAAAAAAAAAAAAAAAAA::::"),
      "telegram-ish": fill("123456789:AA"),
      "Vault-ish": `s.${fill("Aa1")}`,
      spaces: fill(" "),
      newlines: fill("\n"),
    };
    const PER_PATTERN_MS = 300;
    const WHOLE_MS = 1000;
    /** The faster of two runs: a scheduler hiccup on a busy CI machine is not a quadratic pattern. */
    const timed = (run: () => void) => {
      let best = Infinity;
      for (let i = 0; i < 2 && best > PER_PATTERN_MS / 2; i++) {
        const started = performance.now();
        run();
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };

    it(`each pattern finishes each input within ${PER_PATTERN_MS} ms`, () => {
      const slow: string[] = [];
      for (const [id, pattern] of all) {
        for (const [input, text] of Object.entries(hostile)) {
          const ms = timed(() => {
            pattern.lastIndex = 0;
            if (!pattern.sticky) text.replace(pattern, "");
            else {
              for (let i = 0; i < text.length; i += 4096) {
                pattern.lastIndex = i;
                pattern.exec(text);
              }
            }
          });
          if (ms > PER_PATTERN_MS)
            slow.push(`${id} on ${input}: ${Math.round(ms)} ms`);
        }
      }
      expect(slow).toEqual([]);
    }, 120_000);

    it(`the whole redactor finishes each input within ${WHOLE_MS} ms`, () => {
      const slow: string[] = [];
      for (const [input, text] of Object.entries(hostile)) {
        const ms = timed(() => redactSecrets(text));
        if (ms > WHOLE_MS) slow.push(`${input}: ${Math.round(ms)} ms`);
      }
      expect(slow).toEqual([]);
    }, 120_000);
  });

  it("redacts 64 KiB of error output in well under 20 ms", () => {
    let text = "";
    for (let i = 0; text.length < 64 * 1024; i++) {
      text += `${ORDINARY_TEXT[i % ORDINARY_TEXT.length]}\n`;
      if (i % 10 === 0)
        text += `${SECRET_SHAPES[i % SECRET_SHAPES.length]!.line}\n`;
    }
    text = text.slice(0, 64 * 1024);
    redactSecrets(text);
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      redactSecrets(text);
      best = Math.min(best, performance.now() - started);
    }
    expect(best).toBeLessThan(20);
  });
});

describe("redactThenCut", () => {
  const token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

  it("masks before cutting, so a token straddling the cut cannot lose its prefix and escape", () => {
    const text = `${"x".repeat(100)} ${token} end`;
    const maxChars = 30; // the cut falls inside the token
    const cutFirst = redact(`…${text.slice(-maxChars)}`);
    expect(survivingPiece(cutFirst, token)).not.toBeNull(); // the old order leaks the tail
    const out = redactThenCut(text, maxChars, redact);
    expect(survivingPiece(out, token)).toBeNull();
    expect(out.startsWith("…")).toBe(true);
    expect(out.length).toBeLessThanOrEqual(maxChars + 1);
  });

  it("keeps short text whole and never starts inside a mask or a surrogate pair", () => {
    expect(redactThenCut(`token ${token}`, 100, redact)).toBe(
      "token [REDACTED]",
    );
    expect(redactThenCut(`${"a".repeat(50)} ${token} tail`, 12, redact)).toBe(
      "… tail",
    );
    expect(redactThenCut(`ab😀cd`, 3, (text) => text)).toBe("…cd");
  });
});

describe("redactData", () => {
  it("masks the secrets of aws sts assume-role output and keeps the rest", () => {
    const output = {
      Credentials: {
        AccessKeyId: "ASIAY34FZKBOKMUTVV7A",
        SecretAccessKey: fake("data-secret", "ABCDEFabcdef0123456789/+", 40),
        SessionToken: `IQoJb3JpZ2luX2Vj${fake("data-session", "ABCDEFabcdef0123456789/+", 200)}`,
        Expiration: "2026-01-01T12:00:00+00:00",
      },
      AssumedRoleUser: {
        AssumedRoleId: "AROA3XFRBF535PLBIFPI4:ci",
        Arn: "arn:aws:sts::123456789012:assumed-role/Deploy/ci",
      },
    };
    expect(redactData(output, redact)).toEqual({
      Credentials: {
        AccessKeyId: "[REDACTED]",
        SecretAccessKey: "[REDACTED]",
        SessionToken: "[REDACTED]",
        Expiration: "2026-01-01T12:00:00+00:00",
      },
      AssumedRoleUser: {
        AssumedRoleId: "AROA3XFRBF535PLBIFPI4:ci",
        Arn: "arn:aws:sts::123456789012:assumed-role/Deploy/ci",
      },
    });
  });

  it("masks SecretString, camelCase, snake_case and kebab-case secret keys; keeps pagination tokens and counts", () => {
    const data = {
      ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
      Name: "prod/db",
      SecretString: '{"username":"app","password":"opaque"}',
      NextToken: "eyJNYXJrZXIiOiBudWxsfQ==",
      items: [
        {
          apiKey: "k1",
          client_secret: "k2",
          "private-key": "k3",
          private_key: "k4",
          connectionString: "k5",
          _auth: "k6",
          auth: "k7",
          password: 1234,
          token: "k8",
        },
      ],
      usage: { max_tokens: 1024, input_tokens: 12 },
      private_key_id: "abc123",
    };
    expect(redactData(data, redact)).toEqual({
      ...data,
      SecretString: "[REDACTED]",
      items: [
        {
          apiKey: "[REDACTED]",
          client_secret: "[REDACTED]",
          "private-key": "[REDACTED]",
          private_key: "[REDACTED]",
          connectionString: "[REDACTED]",
          _auth: "[REDACTED]",
          auth: "[REDACTED]",
          password: "[REDACTED]",
          token: "[REDACTED]",
        },
      ],
    });
  });

  it("masks everything under a Kubernetes Secret's data and stringData", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db" },
      data: { "tls.key": "LS0tLS1CRUdJTg==", user: "YXBw" },
      stringData: { note: "plain" },
    };
    expect(redactData(secret, redact)).toEqual({
      ...secret,
      data: { "tls.key": "[REDACTED]", user: "[REDACTED]" },
      stringData: { note: "[REDACTED]" },
    });
  });
});

describe("redactData: keys and strings", () => {
  it("masks whole values under secret-looking keys, redacts inside every other string, and keeps the JSON shape", () => {
    const redact = createRedactor({ DEPLOY_TOKEN: "opaque-value-9876" });
    const data = {
      user: "ann",
      password: "x",
      api_key: 12345,
      "db-password": "short",
      credentials: { user: "bob", secret_key: "k" },
      items: [
        { note: "used opaque-value-9876 and token=abcdefgh1234" },
        "AKIAIOSFODNN7EXAMPLE",
        7,
        null,
        true,
      ],
      tokenizer: "word",
      passwordless: false,
    };
    expect(redactData(data, redact)).toEqual({
      user: "ann",
      password: "[REDACTED]",
      api_key: "[REDACTED]",
      "db-password": "[REDACTED]",
      credentials: { user: "bob", secret_key: "[REDACTED]" },
      items: [
        { note: "used [REDACTED] and token=[REDACTED]" },
        "[REDACTED]",
        7,
        null,
        true,
      ],
      tokenizer: "word",
      passwordless: false,
    });
  });
});

describe("createRedactor", () => {
  it("masks the values of environment variables whose names look secret", () => {
    const redactor = createRedactor({
      MY_API_TOKEN: "opaque-value-9876",
      HOME: "/home/someone",
      SHORT_TOKEN: "abc",
    });
    expect(redactor("sent opaque-value-9876 from /home/someone abc")).toBe(
      "sent [REDACTED] from /home/someone abc",
    );
  });

  it("leaves the paths of variables that say where a secret is kept (…_FILE, …_PATH, …_DIR): a re-auth command names them", () => {
    const redact = createRedactor({
      AWS_SHARED_CREDENTIALS_FILE: "<home>/.aws/credentials",
      KUBE_TOKEN_FILE: "/run/kube-token",
      VAULT_TOKEN: "hvs.opaque-value-1",
    });
    expect(
      redact(
        "fake-login <home>/.aws/credentials /run/kube-token hvs.opaque-value-1",
      ),
    ).toBe("fake-login <home>/.aws/credentials /run/kube-token [REDACTED]");
  });

  it("masks an 8-character secret, longest value first, and never authwrap's own settings", () => {
    const redact = createRedactor({
      SESSION_ID: "abcd1234",
      AUTH_HEADER: "abcd1234-and-more",
      AUTHWRAP_REAUTH: "mycli login --fresh",
    });
    expect(
      redact("got abcd1234-and-more then abcd1234; ran mycli login --fresh"),
    ).toBe("got [REDACTED] then [REDACTED]; ran mycli login --fresh");
  });
});
