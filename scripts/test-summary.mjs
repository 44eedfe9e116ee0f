// The last lines of `npm test`: the counts over every suite, then each failed test by name with the
// first line of its error, so the tail of a CI log says what failed without scrolling back.
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
let passed = 0, skipped = 0;
const failures = [];
const firstLine = (text) => String(text ?? "").replace(/\x1b\[[0-9;]*m/g, "").trim().split("\n")[0].slice(0, 300);

for (const suite of ["unit", "integration"]) {
  const r = JSON.parse(fs.readFileSync(`${dir}/${suite}.json`, "utf8"));
  passed += r.numPassedTests;
  skipped += r.numPendingTests + (r.numTodoTests || 0);
  for (const file of r.testResults) {
    const name = path.relative(process.cwd(), file.name);
    const bad = file.assertionResults.filter((t) => t.status === "failed");
    for (const t of bad) failures.push(`${suite} › ${name} › ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
    // a file that failed outside its tests (an import, a hook) counts once
    if (file.status === "failed" && bad.length === 0) failures.push(`${suite} › ${name}: ${firstLine(file.message)}`);
  }
  const counted = failures.filter((f) => f.startsWith(`${suite} ›`)).length;
  if (counted !== r.numFailedTests && r.numFailedTests > 0) failures.push(`${suite}: the report counts ${r.numFailedTests} failed tests, ${counted} named above`);
}

for (const lane of [1, 2]) {
  const f = `${dir}/e2e-${lane}.json`;
  // a lane that died before writing its report counts as a failure
  if (!fs.existsSync(f)) { failures.push(`end-to-end lane ${lane} wrote no report`); continue; }
  const report = JSON.parse(fs.readFileSync(f, "utf8"));
  passed += report.stats.expected;
  skipped += report.stats.skipped;
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) for (const t of spec.tests) {
      if (t.status === "unexpected" || t.status === "flaky") {
        const error = t.results.flatMap((r) => r.errors ?? [r.error]).find(Boolean);
        failures.push(`end-to-end lane ${lane} › ${spec.file}:${spec.line} › ${spec.title}${t.status === "flaky" ? " (passed only on retry)" : ""}: ${firstLine(error?.message)}`);
      }
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites) walk(suite);
  for (const error of report.errors ?? []) failures.push(`end-to-end lane ${lane}, outside any test: ${firstLine(error.message)}`);
}

console.log(`${passed} passed, ${failures.length} failed, ${skipped} skipped`);
for (const failure of failures) console.log(`FAILED ${failure}`);
process.exit(failures.length || passed === 0 ? 1 : 0);
