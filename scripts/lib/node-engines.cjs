// Fails early, with a message saying what to do, when this Node.js does not meet the frontend's
// package.json "engines.node" (used by the Dockerfile's frontend stage and by
// scripts/lib/frontend.sh). Written for old Node releases too: that is when it has to work.
//   node scripts/lib/node-engines.cjs frontend/package.json [--node-version 18.19.1]
// Exit 0: satisfied (or no engines.node); 1: too old, message on stderr; 2: usage or bad range.
'use strict';
var fs = require('fs');

function parseVersion(text) {
  var m = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!m) { return null; }
  return [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)];
}

function compare(a, b) {
  for (var i = 0; i < 3; i++) {
    if (a[i] !== b[i]) { return a[i] < b[i] ? -1 : 1; }
  }
  return 0;
}

// One partial version ("20", "20.19", "20.x", "*") as the half-open interval [low, high).
function interval(partial) {
  var parts = partial.replace(/^v/, '').split('.');
  var nums = [];
  for (var i = 0; i < parts.length && i < 3; i++) {
    if (/^[xX*]$/.test(parts[i]) || parts[i] === '') { break; }
    if (!/^\d+$/.test(parts[i].replace(/-.*$/, ''))) { throw new Error('bad version "' + partial + '"'); }
    nums.push(Number(parts[i].replace(/-.*$/, '')));
  }
  var low = [nums[0] || 0, nums[1] || 0, nums[2] || 0];
  var high = null;
  if (nums.length === 0) { high = null; } else if (nums.length === 1) { high = [nums[0] + 1, 0, 0]; } else if (nums.length === 2) { high = [nums[0], nums[1] + 1, 0]; } else { high = [nums[0], nums[1], nums[2] + 1]; }
  return { low: low, high: high, exact: nums.length === 3, any: nums.length === 0, nums: nums };
}

function satisfiesComparator(v, op, partial) {
  var iv = interval(partial);
  if (iv.any) { return op === '' || op === '=' || op === '>=' || op === '<='; }
  switch (op) {
    case '': case '=': return compare(v, iv.low) >= 0 && compare(v, iv.high) < 0;
    case '>=': return compare(v, iv.low) >= 0;
    case '>': return compare(v, iv.high) >= 0;
    case '<': return compare(v, iv.low) < 0;
    case '<=': return compare(v, iv.high) < 0;
    case '~': return compare(v, iv.low) >= 0 &&
      compare(v, iv.nums.length === 1 ? [iv.low[0] + 1, 0, 0] : [iv.low[0], iv.low[1] + 1, 0]) < 0;
    case '^': {
      var n = iv.nums;
      var upper = n[0] > 0 || n.length === 1 ? [n[0] + 1, 0, 0]
        : (n[1] > 0 || n.length === 2) ? [0, n[1] + 1, 0] : [0, 0, n[2] + 1];
      return compare(v, iv.low) >= 0 && compare(v, upper) < 0;
    }
    default: throw new Error('bad operator "' + op + '"');
  }
}

// npm's range grammar, the common part: "a || b", comparators joined by spaces, "a - b", ^ ~ x.
function satisfies(version, range) {
  return range.split('||').some(function (alternative) {
    var set = alternative.trim();
    if (set === '') { return true; }
    var hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(set);
    if (hyphen) {
      return satisfiesComparator(version, '>=', hyphen[1]) && satisfiesComparator(version, '<=', hyphen[2]);
    }
    return set.replace(/(>=|<=|>|<|=|~|\^)\s+/g, '$1').split(/\s+/).every(function (comparator) {
      var m = /^(>=|<=|>|<|=|~>?|\^)?(.+)$/.exec(comparator);
      return satisfiesComparator(version, (m[1] || '').replace('~>', '~'), m[2]);
    });
  });
}

function main(argv) {
  var file = argv[0];
  var i = argv.indexOf('--node-version');
  var running = i >= 0 ? argv[i + 1] : process.version;
  if (!file) {
    process.stderr.write('usage: node node-engines.cjs PACKAGE_JSON [--node-version X.Y.Z]\n');
    return 2;
  }
  var pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  var range = pkg.engines && pkg.engines.node;
  if (!range) { return 0; }
  var version = parseVersion(running);
  try {
    if (version && satisfies(version, range)) { return 0; }
  } catch (e) {
    process.stderr.write(file + ': engines.node "' + range + '": ' + e.message + '\n');
    return 2;
  }
  process.stderr.write('Node.js ' + running + ' does not meet ' + file + "'s engines.node \"" + range + '": ' +
    'install a Node.js that does, or in a Docker build pass --build-arg FRONTEND_IMAGE=node:20-bookworm-slim\n');
  return 1;
}

process.exitCode = main(process.argv.slice(2));
