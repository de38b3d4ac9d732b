#!/usr/bin/env node
// Checks one benchmark URL before it is measured (called by run.sh):
//   node verify.mjs URL ACCOUNT_ID KIND EXPECTED_FILE
// KIND is page1, offset100k or status_agent. EXPECTED_FILE holds, one a line, the started_at
// (Unix seconds) of the 10 rows PostgreSQL itself returns for the same query.
// Exits 0 and prints a one-line summary when the answer is 200, 10 rows, all of the account
// (and status=failed, agent 3 for status_agent), newest first, with the same started_at values
// as PostgreSQL; otherwise prints why and exits 1.
import { readFileSync } from 'node:fs'

const [url, account, kind, expectedFile] = process.argv.slice(2)
if (!url || !account || !kind || !expectedFile) {
  console.error('usage: node verify.mjs URL ACCOUNT_ID KIND EXPECTED_FILE')
  process.exit(2)
}

function fail (msg) {
  console.error(`FAIL [${kind}] ${url}\n  ${msg}`)
  process.exit(1)
}

const expected = readFileSync(expectedFile, 'utf8').split('\n').filter(Boolean).map(Number)
if (expected.length !== 10) fail(`PostgreSQL itself returned ${expected.length} rows for this query (need 10): the data set is too small or lacks such rows`)

let res
try {
  res = await fetch(url, { signal: AbortSignal.timeout(30000) })
} catch (err) {
  fail(`request failed: ${err.message}`)
}
const body = await res.text()
if (res.status !== 200) fail(`HTTP ${res.status}: ${body.slice(0, 500)}`)
let rows
try {
  rows = JSON.parse(body)
} catch {
  fail(`answer is not JSON: ${body.slice(0, 200)}`)
}
if (!Array.isArray(rows)) fail(`answer is not an array: ${body.slice(0, 200)}`)
if (rows.length !== 10) fail(`expected 10 rows, got ${rows.length}`)

const starts = []
for (const [i, r] of rows.entries()) {
  if (String(r.accountId) !== String(account)) fail(`row ${i} has accountId=${r.accountId}, expected ${account}`)
  if (kind === 'status_agent') {
    if (r.status !== 'failed') fail(`row ${i} has status=${r.status}, expected failed`)
    if (String(r.agentId) !== '3') fail(`row ${i} has agentId=${r.agentId}, expected 3`)
  }
  const t = Date.parse(r.startedAt)
  if (Number.isNaN(t)) fail(`row ${i} has no parsable startedAt: ${JSON.stringify(r.startedAt)}`)
  starts.push(Math.round(t / 1000))
}
for (let i = 1; i < starts.length; i++) {
  if (starts[i] > starts[i - 1]) fail(`not newest first: row ${i} startedAt ${rows[i].startedAt} is after row ${i - 1} ${rows[i - 1].startedAt}`)
}
for (let i = 0; i < 10; i++) {
  if (starts[i] !== expected[i]) {
    fail(`row ${i} startedAt ${rows[i].startedAt} (${starts[i]}) differs from PostgreSQL's own answer (${expected[i]})`)
  }
}
if (kind === 'page1') console.log(`first row: ${JSON.stringify(rows[0])}`)
console.log(`ok [${kind}] 200, 10 rows of account ${account}, newest first, ${rows[0].startedAt} .. ${rows[9].startedAt}, same as PostgreSQL`)
