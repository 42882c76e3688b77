import { describe, expect, it } from 'vitest';
import { createRedactor, redactSecrets } from '../src/redact.js';

// Token shapes as the services issue them (random bodies of the documented length and alphabet).
const TOKENS: Array<[string, string]> = [
  ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
  ['AWS temporary key id', 'ASIAY34FZKBOKMUTVV7A'],
  ['JWT', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZXhwIjoxNzAwMDAwMDAwfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'],
  ['GitHub classic PAT', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
  ['GitHub OAuth token', 'gho_16C7e42F292c6912E7710c838347Ae178B4a'],
  ['GitHub app user token', 'ghu_16C7e42F292c6912E7710c838347Ae178B4a'],
  ['GitHub fine-grained PAT', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345'],
  ['Google access token', 'ya29.a0AfH6SMBx3kqL9Yf0example_token-value.more'],
  ['Slack bot token', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
];

describe('redactSecrets', () => {
  it.each(TOKENS)('masks a %s', (_name, token) => {
    const out = redactSecrets(`before ${token} after`);
    expect(out).toBe('before [REDACTED] after');
  });

  it('masks Authorization header values, keeping the scheme', () => {
    expect(redactSecrets('Authorization: Bearer abc.def-123')).toBe('Authorization: Bearer [REDACTED]');
    expect(redactSecrets('authorization: Basic dXNlcjpwYXNz')).toBe('authorization: Basic [REDACTED]');
  });

  it('masks passwords in URLs and secret assignments', () => {
    expect(redactSecrets('https://user:hunter22@example.com/repo.git')).toBe('https://user:[REDACTED]@example.com/repo.git');
    expect(redactSecrets('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe('aws_secret_access_key = [REDACTED]');
    expect(redactSecrets('--password=hunter2222')).toBe('--password=[REDACTED]');
  });

  it('leaves ordinary text alone', () => {
    const text = 'An error occurred (ExpiredToken) when calling the GetCallerIdentity operation';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('createRedactor', () => {
  it('masks the values of environment variables whose names look secret', () => {
    const redact = createRedactor({ MY_API_TOKEN: 'opaque-value-9876', HOME: '/home/someone', SHORT_TOKEN: 'abc' });
    expect(redact('sent opaque-value-9876 from /home/someone abc')).toBe('sent [REDACTED] from /home/someone abc');
  });

  it('leaves the paths of variables that say where a secret is kept (…_FILE, …_PATH, …_DIR): a re-auth command names them', () => {
    const redact = createRedactor({ AWS_SHARED_CREDENTIALS_FILE: '/home/dev/.aws/credentials', KUBE_TOKEN_FILE: '/run/kube-token', VAULT_TOKEN: 'hvs.opaque-value-1' });
    expect(redact('fake-login /home/dev/.aws/credentials /run/kube-token hvs.opaque-value-1')).toBe('fake-login /home/dev/.aws/credentials /run/kube-token [REDACTED]');
  });
});
