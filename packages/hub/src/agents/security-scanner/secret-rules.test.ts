import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findHighEntropy, shannonEntropy } from './entropy.js';
import { scanLines } from './line-scanner.js';
import type { Finding } from './manifest.js';
import { maskSecret } from './mask.js';
import { selectRules } from './rule-set.js';

// Fake credentials are assembled at run time so that this file never holds one in one piece
// (and does not trip secret scanners, ours included).
const fake = {
  awsKeyId: 'AKIA' + 'IOSFODNN7EXAMPLE',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY',
  github: 'ghp_' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5',
  githubPat: 'github_pat_' + '11ABCDEFG0123456789abc_' + 'x'.repeat(20) + 'Y7z'.repeat(13),
  gitlab: 'glpat-' + 'Zx9Yw8Vu7Ts6Rq5Po4Nm',
  slack: 'xox' + 'b-1234567890-0987654321-AbCdEfGhIjKl',
  slackHook:
    'https://hooks.slack' + '.com/services/T0A1B2C3D/B4E5F6G7H/' + 'q1w2e3r4t5y6u7i8o9p0a1s2',
  stripe: 'sk_' + 'live_' + '4eC39HqLyjWDarjtT1zdp7dc',
  openai: 'sk-' + 'proj-' + 'Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0',
  jwt:
    'eyJ' +
    'hbGciOiJIUzI1NiJ9.eyJ' +
    'zdWIiOiIxMjM0NTY3ODkwIn0.' +
    'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  azure: 'AccountKey=' + 'Kq3'.repeat(28) + 'Ab==',
  pemHeader: '-----BEGIN ' + 'RSA PRIVATE KEY-----',
  pemFooter: '-----END ' + 'RSA PRIVATE KEY-----',
  random: 'q8Xv3LkP0zR7mN2b' + 'T5wY9cJ4hF6dG1sA',
};

function scan(path: string, text: string, rules?: string[]): Finding[] {
  const selection = selectRules(rules);
  const lines = text.split('\n').map((t, i) => ({ number: i + 1, text: t }));
  return scanLines(path, lines, { ...selection, entropy: selection.entropy });
}

function only(findings: Finding[]): Finding {
  assert.equal(findings.length, 1, JSON.stringify(findings, null, 1));
  return findings[0]!;
}

describe('secret rules', () => {
  const cases: [rule: string, line: string, secret: string][] = [
    ['secret.aws-access-key', `aws_key_id = "${fake.awsKeyId}"`, fake.awsKeyId],
    ['secret.aws-secret-key', `AWS_SECRET_ACCESS_KEY=${fake.awsSecret}`, fake.awsSecret],
    ['secret.github-token', `token: ${fake.github}`, fake.github],
    ['secret.github-token', `const t = '${fake.githubPat}';`, fake.githubPat],
    [
      'secret.gitlab-token',
      `git clone https://oauth2:${fake.gitlab}@gitlab.example.com/x.git`,
      fake.gitlab,
    ],
    ['secret.slack-token', `SLACK=${fake.slack}`, fake.slack],
    [
      'secret.slack-webhook',
      `url = "${fake.slackHook}"`,
      fake.slackHook.slice(fake.slackHook.indexOf('/T0A1') + 1),
    ],
    ['secret.stripe-live-key', `Stripe(${JSON.stringify(fake.stripe)})`, fake.stripe],
    ['secret.openai-key', `OPENAI_API_KEY=${fake.openai}`, fake.openai],
    ['secret.jwt', `Authorization: Bearer ${fake.jwt}`, fake.jwt],
    [
      'secret.azure-storage-key',
      `DefaultEndpointsProtocol=https;AccountName=x;${fake.azure}`,
      fake.azure.slice(11),
    ],
    ['secret.generic-assignment', `const dbPassword = "S3cr3t-Passw0rd!";`, 'S3cr3t-Passw0rd!'],
    ['secret.generic-assignment', `{ "api_key": "k-93jd8s7f6g5h" }`, 'k-93jd8s7f6g5h'],
  ];
  for (const [rule, line, secret] of cases) {
    test(`${rule}: ${line.slice(0, 24)}… is found and masked`, () => {
      const finding = only(scan('config/app.ts', line).filter((f) => f.rule === rule));
      assert.equal(finding.category, 'secret');
      assert.equal(finding.line, 1);
      assert.equal(finding.column, line.indexOf(secret) + 1);
      assert.ok(!finding.excerpt.includes(secret), `excerpt leaks the secret: ${finding.excerpt}`);
      assert.ok(finding.excerpt.includes('***'));
      assert.ok(finding.fix && finding.fix.length > 10);
    });
  }

  test('a specific rule wins over generic ones on the same span (one finding per secret)', () => {
    const finding = only(scan('app.py', `github_token = "${fake.github}"`));
    assert.equal(finding.rule, 'secret.github-token');
    assert.equal(finding.excerpt, 'github_token = "ghp_***"');
  });

  test('unquoted assignments count in configuration files only', () => {
    const env = scan('deploy/.env.production', 'DB_PASSWORD=Tr0ub4dor-and-3');
    assert.equal(only(env).rule, 'secret.generic-assignment');
    assert.deepEqual(scan('src/login.ts', 'password = readPasswordFromVault()'), []);
  });

  test('placeholders, references and comparisons are not secrets', () => {
    const lines = [
      'password = "changeme"',
      'password: "${DB_PASSWORD}"',
      "apiKey: 'LLM_API_KEY',",
      'token = "{{ secrets.TOKEN }}"',
      'secret: "xxxxxxxx"',
      'if (password == "hunter2!!") {}',
      "fetch(url, { credentials: 'same-origin' })",
      'const apiKey = process.env.API_KEY;',
      'password = "your-password-here"',
    ];
    assert.deepEqual(scan('app.js', lines.join('\n')), []);
  });

  test('a PEM private key is one critical finding; its body lines are not scanned', () => {
    const body = [
      fake.random + fake.random,
      fake.random.split('').reverse().join('') + fake.random,
    ];
    const text = ['const key = `', fake.pemHeader, ...body, fake.pemFooter, '`;'].join('\n');
    const finding = only(scan('src/key.js', text));
    assert.equal(finding.rule, 'secret.private-key');
    assert.equal(finding.severity, 'critical');
    assert.equal(finding.line, 2);
    assert.equal(finding.excerpt, `${fake.pemHeader}***`);
  });

  test('a PEM block without its END line hides at most 500 lines', () => {
    const filler = Array.from({ length: 600 }, () => 'MIIEowIBAAKCAQEA');
    const text = [fake.pemHeader, ...filler, `key = "${fake.awsKeyId}"`].join('\n');
    assert.deepEqual(
      scan('broken.pem', text).map((f) => [f.line, f.rule]),
      [
        [1, 'secret.private-key'],
        [602, 'secret.aws-access-key'],
      ],
    );
  });

  test('a GCP service-account JSON key is reported as such, without its key material', () => {
    const keyJson = JSON.stringify({
      type: 'service_account',
      private_key: `${'-----BEGIN ' + 'PRIVATE KEY-----'}\nMIIEvQIBADANBgkqhkiG9w0B\n-----END PRIVATE KEY-----\n`,
    });
    const finding = only(scan('sa.json', keyJson));
    assert.equal(finding.rule, 'secret.gcp-service-account');
    assert.ok(!finding.excerpt.includes('MIIEvQ'), finding.excerpt);
  });

  test('high-entropy strings are reported; hashes in their usual places are not', () => {
    const finding = only(scan('src/config.ts', `const signingSeed = "${fake.random}";`));
    assert.equal(finding.rule, 'secret.high-entropy');
    assert.equal(finding.severity, 'medium');
    assert.equal(finding.excerpt, 'const signingSeed = "q8Xv***";');
    const hashes = [
      `<script src="a.js" integrity="sha384-${fake.random}${fake.random}"></script>`,
      `commit: ${'0a1b2c3d4e5f'.repeat(3)}0a1b2c3d`,
      `img.src = "data:image/png;base64,${fake.random}${fake.random}";`,
      'const name = "averyveryverylongidentifiername";',
    ];
    assert.deepEqual(scan('index.html', hashes.join('\n')), []);
  });

  test('cc-scan-ignore on a line suppresses its findings', () => {
    const text = `const k = "${fake.awsKeyId}"; // cc-scan-ignore: test fixture\nconst j = "${fake.awsKeyId}";`;
    const finding = only(scan('a.ts', text));
    assert.equal(finding.line, 2);
  });

  test('the rules filter runs only the rules named', () => {
    const text = `const k = "${fake.awsKeyId}"; const p = "${fake.github}";`;
    assert.deepEqual(
      scan('a.ts', text, ['secret.github-token']).map((f) => f.rule),
      ['secret.github-token'],
    );
  });
});

describe('masking and entropy', () => {
  test('a secret keeps at most its first 4 characters', () => {
    assert.equal(maskSecret(fake.awsKeyId), 'AKIA***');
    assert.equal(maskSecret('abcdefghijkl'), 'ab***');
    assert.equal(maskSecret('short1'), '***');
  });

  test('Shannon entropy: uniform strings score log2 of their alphabet', () => {
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
    assert.ok(shannonEntropy(fake.random) > 4.5);
    assert.deepEqual(findHighEntropy('no secrets on this line at all, just words'), []);
  });
});
