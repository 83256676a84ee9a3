// The demo page's column guessing, on its own: the names people give their columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guessColumns, splitCsvLine, csvOptions } from '../../www/guess.js';

test('columns are guessed from common names, and a file without a kind is a purchase log', () => {
  let g = guessColumns(['user_id', 'created_at', 'revenue']);
  assert.deepEqual(g, { mapping: { clientId: 'user_id', timestamp: 'created_at', value: 'revenue' }, confident: true });
  assert.deepEqual(csvOptions(g.mapping), { columns: { clientId: 'user_id', timestamp: 'created_at', value: 'revenue' }, delimiter: ',', kind: 'purchase' });
  g = guessColumns(['Customer ID', 'Order Date', 'Amount', 'Type']);
  assert.deepEqual(g.mapping, { clientId: 'Customer ID', timestamp: 'Order Date', kind: 'Type', value: 'Amount' });
  assert.equal(csvOptions(g.mapping).kind, undefined);
  // The first of several candidates wins, and a column is used once.
  assert.deepEqual(guessColumns(['id', 'account', 'date', 'time']).mapping, { clientId: 'account', timestamp: 'date' });
  // Not every needed column: not confident, so the page asks.
  assert.equal(guessColumns(['who', 'when']).confident, false);
  assert.equal(guessColumns(['client', 'amount']).confident, false);
});

test('a header line is split as CSV quotes it', () => {
  assert.deepEqual(splitCsvLine('a,"b, c","d ""e"""'), ['a', 'b, c', 'd "e"']);
  assert.deepEqual(splitCsvLine('a;b;c', ';'), ['a', 'b', 'c']);
  assert.deepEqual(splitCsvLine(''), ['']);
});
