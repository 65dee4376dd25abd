import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chineseNumeral, pointNumber, sectionNumber, styleCount, styleQuantity } from './number-style.ts';

const cases: Array<[number, string, number?]> = [
  [0, '0'],
  [1, '1'],
  [52, '52'],
  [657, '657'],
  [9_999, '9999'],
  [10_000, '1万'],
  [10_001, '1万余'],
  [10_999, '1万余'],
  [11_000, '1.1万'],
  [99_999, '9.9万余'],
  [100_000, '10万'],
  [114_300, '11.4万余'],
  [183_020, '18.3万余'],
  [200_150, '20万余'],
  [1_234_567, '123.4万余'],
  [99_999_999, '9999.9万余'],
  [100_000_000, '1亿'],
  [123_456_789, '1.2亿余'],
  [1_000_000_000, '10亿'],
  [5_420, '5420', 1],
  [5_420.5, '5420.5', 1],
  [0.5, '0.5', 1],
  [12.25, '12.2余', 1],
  [9_999.9, '9999.9', 1],
  [12_345.6, '1.2万余', 1],
  [10_000.5, '1万余', 1],
  [2.5, '2余'],
];

for (const [value, expected, decimals] of cases) {
  test(`styleCount(${value}${decimals ? `, ${decimals} decimal` : ''}) → ${expected}`, () => {
    assert.equal(styleCount(value, { decimals }), expected);
  });
}

test('quantities put the unit after 余, as the seed does', () => {
  assert.equal(styleQuantity(200_150, '张'), '20万余张');
  assert.equal(styleQuantity(183_020, '次'), '18.3万余次');
  assert.equal(styleQuantity(100_000, '份'), '10万份');
  assert.equal(styleQuantity(5_420, '小时', { decimals: 1 }), '5420小时');
});

test('negative and non-finite values are refused', () => {
  for (const v of [-1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => styleCount(v), RangeError);
});

const numerals: Array<[number, string]> = [[1, '一'], [2, '二'], [9, '九'], [10, '十'], [11, '十一'], [20, '二十'], [21, '二十一'], [99, '九十九']];
for (const [n, s] of numerals) test(`chineseNumeral(${n}) → ${s}`, () => assert.equal(chineseNumeral(n), s));

test('section and point numbering', () => {
  assert.equal(sectionNumber(3), '三、');
  assert.equal(pointNumber(2), '二是');
  assert.throws(() => chineseNumeral(0), RangeError);
});
