import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATEGORIES, evaluate, OpinionClassifier, type Category, type LabelledExample } from './classifier.ts';
import { analyse } from './pipeline.ts';

// A small hand-written fixture (the real corpus is exercised by opinion-quality.test.ts).
const ex = (text: string, category: Category, relevant = true): LabelledExample => ({ text, relevant, category: relevant ? category : 'other' });
const FIXTURE: LabelledExample[] = [
  ex('紧急扩散！内部消息，明天全市封城，赶紧去超市囤米囤油', 'rumor'),
  ex('听说喝板蓝根和熏醋能预防新冠肺炎，转发保平安', 'rumor'),
  ex('据说医院的朋友说已经死了好多人，上面不让说，千万别出门', 'rumor'),
  ex('网传今晚十二点有飞机撒药消毒，大家关好门窗', 'rumor'),
  ex('内部消息：高度白酒能杀死新冠病毒，每天喝二两', 'rumor'),
  ex('药店口罩一只卖二十块，平时五毛钱，这是发国难财', 'price_gouging'),
  ex('菜场青菜涨到八块一斤，疫情期间坐地起价，有没有人管', 'price_gouging'),
  ex('超市鸡蛋一板涨到三十，趁疫情哄抬物价，已打12315', 'price_gouging'),
  ex('酒精消毒液原价十块现在卖五十，黑心商家', 'price_gouging'),
  ex('黄牛在医院门口倒卖口罩，一盒三百块', 'price_gouging'),
  ex('请问小区封闭管理了，我爸的降压药快吃完了，该找谁？', 'concern'),
  ex('孩子什么时候能开学？网课跟不上，家长也要上班，怎么办', 'concern'),
  ex('从武汉回来要隔离几天？需要去哪里登记？', 'concern'),
  ex('厂里一直没通知复工，房贷下个月要还了，有没有人知道什么时候开工', 'concern'),
  ex('孕妇产检现在去医院安全吗？会不会交叉感染', 'concern'),
  ex('致敬社区志愿者，零下几度守在卡点测体温，辛苦了', 'positive'),
  ex('感谢医疗队逆行出征，平安归来，武汉加油', 'positive'),
  ex('村里的党员自掏腰包买口罩分给大家，好样的', 'positive'),
  ex('快递小哥疫情期间还坚持送货，为你们点赞', 'positive'),
  ex('网格员每天帮独居老人买菜买药，暖心', 'positive'),
  ex('区疫情防控指挥部通告：即日起公共娱乐场所暂停营业', 'other'),
  ex('今日疫情通报：新增确诊病例1例，累计治愈出院2例', 'other'),
  ex('发热门诊设在区人民医院，24小时接诊', 'other'),
  ex('电脑中了勒索病毒，杀毒软件也没用，文件全被加密了', 'other', false),
  ex('这只股票股价又涨了，基金今天大涨', 'other', false),
  ex('房价涨了，二手房挂牌一万二一平，买不起', 'other', false),
  ex('周末去爬山，风景真好，拍了好多照片', 'other', false),
  ex('手机中毒了，一直弹广告，恢复出厂设置有用吗', 'other', false),
  ex('红烧肉做法：五花肉焯水，炒糖色，小火炖四十分钟', 'other', false),
  ex('球队又输了，主教练该下课了', 'other', false),
];

test('training is deterministic: same examples, same model', () => {
  const a = OpinionClassifier.train(FIXTURE);
  const b = OpinionClassifier.train(FIXTURE);
  assert.deepEqual(a.toJSON(), b.toJSON());
});

test('a trained model fits its training posts and forces "other" for irrelevant ones', () => {
  const clf = OpinionClassifier.train(FIXTURE);
  const ev = evaluate(clf, FIXTURE);
  assert.equal(ev.n, FIXTURE.length);
  assert.ok(ev.relevanceAccuracy >= 0.95, JSON.stringify(ev));
  assert.ok(ev.macroF1 >= 0.9, JSON.stringify(ev));
  const r = clf.classify(analyse('电脑又中病毒了，杀毒软件扫出来三十个'));
  assert.equal(r.relevant, false);
  assert.equal(r.category, 'other');
  assert.ok(r.relevanceScore < 0.5);
  const sum = CATEGORIES.reduce((s, c) => s + r.scores[c], 0);
  assert.ok(Math.abs(sum - 1) < 1e-9, 'category scores are probabilities');
});

test('evaluate: per-category precision, recall, F1 and support, macro-F1 as their mean', () => {
  const clf = OpinionClassifier.train(FIXTURE);
  const ev = evaluate(clf, FIXTURE);
  const supports = CATEGORIES.map((c) => ev.categories[c].support);
  assert.deepEqual(supports, [5, 5, 5, 5, 10]);
  const mean = CATEGORIES.reduce((s, c) => s + ev.categories[c].f1, 0) / CATEGORIES.length;
  assert.ok(Math.abs(mean - ev.macroF1) < 1e-12);
  for (const c of CATEGORIES) {
    const m = ev.categories[c];
    if (m.precision + m.recall > 0) assert.ok(Math.abs(m.f1 - (2 * m.precision * m.recall) / (m.precision + m.recall)) < 1e-12);
  }
  assert.deepEqual(evaluate(clf, []).n, 0);
});

test('toJSON / fromJSON round-trip: same scores, compact', () => {
  const clf = OpinionClassifier.train(FIXTURE);
  const json = JSON.parse(JSON.stringify(clf.toJSON()));
  const back = OpinionClassifier.fromJSON(json);
  for (const e of FIXTURE) {
    const a = analyse(e.text);
    assert.deepEqual(back.classify(a), clf.classify(a));
  }
  assert.ok(JSON.stringify(json).length < 2_000_000);
  assert.throws(() => OpinionClassifier.fromJSON({ format: 'something else' }), /frontline-opinion-linear/);
  assert.throws(() => OpinionClassifier.fromJSON(null));
});

test("learn: an analyst's label changes the prediction for that post and its close variants", () => {
  const clf = OpinionClassifier.train(FIXTURE);
  const post = analyse('听说隔壁小区有人发烧被拉走了，我们要不要去做检查？');
  const variant = analyse('听说隔壁小区有人发烧被拉走了，我们要不要也去做个检查啊？');
  // The model reads the question as a concern; the analyst judges it spreads an unverified claim.
  const label = { relevant: true, category: 'rumor' as const };
  const before = clf.classify(post);
  assert.equal(before.category, 'concern', 'the model starts out disagreeing with the analyst');
  const copy = clf.clone();
  let steps = 0;
  for (let i = 0; i < 3; i++) steps += copy.learn(post, label);
  const after = copy.classify(post);
  assert.equal(after.relevant, true);
  assert.equal(after.category, 'rumor');
  assert.ok(after.scores.rumor > before.scores.rumor);
  assert.equal(copy.classify(variant).category, 'rumor');
  assert.equal(copy.labelsLearned, 3);
  assert.ok(steps >= 1);
  // The original model is untouched by learning on its clone.
  assert.deepEqual(clf.classify(post), before);
});

test('learn: an "irrelevant" label turns a post irrelevant', () => {
  const clf = OpinionClassifier.train(FIXTURE);
  const post = analyse('游泳馆的消毒水味道太重了，游完眼睛通红');
  clf.learn(post, { relevant: false, category: 'other' });
  const r = clf.classify(post);
  assert.equal(r.relevant, false);
  assert.equal(r.category, 'other');
});
