#!/usr/bin/env node
// Generates a deterministic test CSV of call records for the Platformatic DB peer benchmark.
//
//   node gen-csv.mjs --rows 1000000 --accounts 100 --big 1 --share 0.3 [--order account|time] [--seed 42] --out /tmp/calls-1m.csv
// (The project's own generator, bench/Salpre.Bench.Data --csv, writes the same columns; this one needs only Node.)
//
// Header: account_id,call_num,status,from_addr,to_addr,agent_id,direction,started_at,ended_at,duration_sec
// - account --big holds --share of the rows; the rest is spread evenly over the other accounts (1..--accounts)
// - call_num counts 1, 2, 3, ... per account in started_at order
// - agent_id is 1..20, status is drawn from a fixed mix (8% failed), direction is 50/50
// - started_at is spread over the 365 days before 2025-11-01T00:00:00Z, whole seconds, UTC with Z
// - calls still initiated/ringing/in-progress have empty ended_at and duration_sec
import { createWriteStream } from 'node:fs'

function parseArgs (argv) {
  const o = { rows: 50000, accounts: 100, big: 1, share: 0.3, seed: 42, order: 'account', out: '-' }
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]
    const v = argv[i + 1]
    if (!k.startsWith('--') || v === undefined) throw new Error(`bad argument ${k}`)
    const name = k.slice(2)
    if (!(name in o)) throw new Error(`unknown option ${k}`)
    o[name] = name === 'out' || name === 'order' ? v : Number(v)
    i++
  }
  if (!Number.isInteger(o.rows) || o.rows < 1) throw new Error('--rows must be a positive integer')
  if (!Number.isInteger(o.accounts) || o.accounts < 2) throw new Error('--accounts must be >= 2')
  if (!Number.isInteger(o.big) || o.big < 1 || o.big > o.accounts) throw new Error('--big must be in 1..accounts')
  if (!(o.share > 0 && o.share < 1)) throw new Error('--share must be in (0,1)')
  if (o.order !== 'account' && o.order !== 'time') throw new Error('--order must be account or time')
  return o
}

// mulberry32: small deterministic PRNG
function rng (seed) {
  let a = seed >>> 0
  return function () {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const STATUS_MIX = [
  ['completed', 0.60], ['no-answer', 0.10], ['busy', 0.08], ['failed', 0.08],
  ['canceled', 0.05], ['in-progress', 0.04], ['ringing', 0.03], ['initiated', 0.02]
]
const OPEN = new Set(['initiated', 'ringing', 'in-progress'])

function pickStatus (r) {
  let acc = 0
  for (const [s, p] of STATUS_MIX) {
    acc += p
    if (r < acc) return s
  }
  return 'completed'
}

function iso (sec) {
  return new Date(sec * 1000).toISOString().slice(0, 19) + 'Z'
}

function phone (rand) {
  let s = '+90'
  for (let i = 0; i < 10; i++) s += Math.floor(rand() * 10)
  return s
}

const o = parseArgs(process.argv.slice(2))
const rand = rng(o.seed)
const END = Date.UTC(2025, 10, 1) / 1000
const SPAN = 365 * 24 * 3600

// How many rows each account gets.
const bigRows = Math.round(o.rows * o.share)
const others = o.accounts - 1
const counts = new Array(o.accounts + 1).fill(0)
counts[o.big] = bigRows
let rest = o.rows - bigRows
let idx = 0
for (let a = 1; a <= o.accounts; a++) {
  if (a === o.big) continue
  counts[a] = Math.floor(rest / others) + (idx < rest % others ? 1 : 0)
  idx++
}

// --order account (default, the layout of the project's own generator, bench/Salpre.Bench.Data): all rows of
// account 1, then account 2, ..., each in started_at order. --order time: rows in global started_at order (as a
// call log appended over time), so the big account's rows are spread over the whole table.
// Each row is one float, sorted natively: start second * 1024 + account, or account * 2^32 + start second.
if (o.accounts > 1000) throw new Error('--accounts must be <= 1000')
const keys = new Float64Array(o.rows)
let k = 0
for (let a = 1; a <= o.accounts; a++) {
  for (let i = 0; i < counts[a]; i++) {
    const st = END - 1 - Math.floor(rand() * SPAN)
    keys[k++] = o.order === 'time' ? st * 1024 + a : a * 4294967296 + st
  }
}
keys.sort()
const boxes = []
const nextNum = new Array(o.accounts + 1).fill(0)
for (let a = 1; a <= o.accounts; a++) {
  boxes[a] = `salprebox:SALPRE-BOX-${(a * 2654435761 >>> 0).toString(16).toUpperCase().padStart(8, '0').slice(0, 6)}`
}
const out = o.out === '-' ? process.stdout : createWriteStream(o.out)
const write = (s) => new Promise((resolve) => { if (out.write(s)) resolve(); else out.once('drain', resolve) })

let buf = 'account_id,call_num,status,from_addr,to_addr,agent_id,direction,started_at,ended_at,duration_sec\n'
for (let i = 0; i < o.rows; i++) {
  const a = o.order === 'time' ? keys[i] % 1024 : Math.floor(keys[i] / 4294967296)
  const st = o.order === 'time' ? (keys[i] - a) / 1024 : keys[i] - a * 4294967296
  const num = ++nextNum[a]
  const status = pickStatus(rand())
  const direction = rand() < 0.5 ? 'outbound' : 'inbound'
  const agent = 1 + Math.floor(rand() * 20)
  const other = phone(rand)
  const from = direction === 'outbound' ? boxes[a] : other
  const to = direction === 'outbound' ? other : boxes[a]
  let ended = ''
  let dur = ''
  if (!OPEN.has(status)) {
    const d = status === 'completed' ? 5 + Math.floor(rand() * 900) : Math.floor(rand() * 40)
    ended = iso(st + d)
    dur = String(d)
  }
  buf += `${a},${num},${status},${from},${to},${agent},${direction},${iso(st)},${ended},${dur}\n`
  if (buf.length > 1 << 20) { await write(buf); buf = '' }
}
if (buf) await write(buf)
if (out !== process.stdout) await new Promise((resolve, reject) => out.end((err) => err ? reject(err) : resolve()))
