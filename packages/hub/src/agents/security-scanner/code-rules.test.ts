// The lines below are fixtures of risky code; `cc-scan-ignore` keeps scans of this repo quiet.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { scanLines } from './line-scanner.js';
import type { Finding } from './manifest.js';
import { selectRules } from './rule-set.js';

function scan(path: string, text: string): Finding[] {
  const lines = text.split('\n').map((t, i) => ({ number: i + 1, text: t }));
  return scanLines(path, lines, selectRules());
}

describe('code rules', () => {
  const cases: [rule: string, path: string, line: string][] = [
    ['code.eval', 'a.js', 'const v = eval(userInput);'], // cc-scan-ignore
    ['code.new-function', 'a.ts', 'const f = new Function("a", body);'], // cc-scan-ignore
    ['code.string-timer', 'a.js', 'setTimeout("refresh()", 1000);'],
    ['code.child-process-exec', 'a.js', 'exec(`git log ${ref}`);'], // cc-scan-ignore
    ['code.child-process-exec', 'a.mjs', 'child_process.execSync("rm -rf " + dir);'], // cc-scan-ignore
    ['code.sql-injection', 'a.ts', `db.query("SELECT * FROM users WHERE name = '" + name + "'");`], // cc-scan-ignore
    ['code.sql-injection', 'a.ts', 'await pool.query(`DELETE FROM t WHERE id = ${id}`);'], // cc-scan-ignore
    ['code.sql-injection', 'a.py', 'cursor.execute("SELECT * FROM t WHERE id = %s" % user_id)'], // cc-scan-ignore
    ['code.sql-injection', 'a.py', 'cursor.execute(f"UPDATE t SET a = {a}")'], // cc-scan-ignore
    ['code.html-injection', 'a.js', 'el.innerHTML = message;'], // cc-scan-ignore
    ['code.html-injection', 'a.js', "el.insertAdjacentHTML('beforeend', html);"], // cc-scan-ignore
    ['code.html-injection', 'a.html', 'document.write(location.hash);'], // cc-scan-ignore
    [
      'code.dangerously-set-inner-html',
      'a.tsx',
      '<div dangerouslySetInnerHTML={{ __html: body }} />',
    ], // cc-scan-ignore
    ['code.tls-verification-disabled', 'a.ts', 'https.get(url, { rejectUnauthorized: false });'], // cc-scan-ignore
    ['code.tls-verification-disabled', 'Dockerfile', 'ENV NODE_TLS_REJECT_UNAUTHORIZED=0'], // cc-scan-ignore
    ['code.tls-verification-disabled', 'a.py', 'requests.post(url, verify=False)'], // cc-scan-ignore
    ['code.tls-verification-disabled', 'main.go', 'cfg := &tls.Config{InsecureSkipVerify: true}'], // cc-scan-ignore
    ['code.python-eval', 'a.py', 'result = eval(expr)'], // cc-scan-ignore
    ['code.python-eval', 'a.py', 'exec(code)'], // cc-scan-ignore
    ['code.python-pickle', 'a.py', 'obj = pickle.loads(data)'], // cc-scan-ignore
    ['code.python-yaml-load', 'a.py', 'cfg = yaml.load(stream)'], // cc-scan-ignore
    ['code.python-yaml-load', 'a.py', 'cfg = yaml.load(stream, Loader=yaml.Loader)'], // cc-scan-ignore
    ['code.python-shell-true', 'a.py', 'subprocess.run(cmd, shell=True)'], // cc-scan-ignore
  ];
  for (const [rule, path, line] of cases) {
    test(`${rule} in ${path}: ${line}`, () => {
      const findings = scan(path, `\n  ${line}`);
      assert.deepEqual(
        findings.map((f) => f.rule),
        [rule],
        JSON.stringify(findings, null, 1),
      );
      const [finding] = findings;
      assert.equal(finding!.category, 'code');
      assert.equal(finding!.line, 2);
      assert.ok(finding!.column! > 2);
      assert.equal(finding!.excerpt, line);
      assert.ok(finding!.fix);
    });
  }

  test('safe JavaScript near the risky patterns is not reported', () => {
    const lines = [
      "el.innerHTML = '';",
      'el.textContent = message;',
      "execFile('git', ['log', ref]);",
      'const m = pattern.exec(text + suffix);',
      "await db.query('SELECT * FROM users WHERE id = $1', [id]);",
      'setTimeout(() => refresh(), 1000);',
      '// eval(userInput) is forbidden here', // cc-scan-ignore
      'const score = evalScore(x);',
      'node.evaluate(expr);',
      "throw new Error('eval() is not allowed');", // cc-scan-ignore
    ];
    assert.deepEqual(scan('safe.ts', lines.join('\n')), []);
  });

  test('safe Python near the risky patterns is not reported', () => {
    const lines = [
      'cfg = yaml.safe_load(stream)',
      'cfg = yaml.load(stream, Loader=yaml.SafeLoader)', // cc-scan-ignore
      'subprocess.run(["ls", path])',
      'cursor.execute("SELECT * FROM t WHERE id = %s", (user_id,))',
      '# eval(x) in a comment', // cc-scan-ignore
      'model.eval()',
    ];
    assert.deepEqual(scan('safe.py', lines.join('\n')), []);
  });

  test('language rules apply only to their languages', () => {
    assert.deepEqual(scan('README.md', 'Never call eval(input) or pickle.loads(data).'), []); // cc-scan-ignore
    assert.deepEqual(scan('notes.txt', 'subprocess.run(cmd, shell=True)'), []); // cc-scan-ignore
  });
});
