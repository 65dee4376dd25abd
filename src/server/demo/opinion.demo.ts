// Demo opinion monitoring: the built-in corpus's fictional posts spread over the last three days
// (with a rumour spreading fast this morning), a refutation, analysts' labels, cases in every state,
// sources and keyword groups, spike alerts and a generated daily brief. No real people; authors are
// made-up handles and are stored only as keyed hashes like any other.
import type { Actor } from '../kernel/index.ts';
import { loadRoles } from '../kernel/authenticate.ts';
import { loadCorpus } from '../../text/corpus/index.ts';
import { ingestPosts } from '../modules/opinion/opinion.ingest.ts';
import { labelPost, mergeClusters } from '../modules/opinion/opinion.service.ts';
import { createRefutation, handOverRefutation, handoverTargets } from '../modules/opinion/opinion.refutations.ts';
import { addCaseAction, createCase, updateCase } from '../modules/opinion/opinion.cases.ts';
import { createGroup, createSource, updateSource } from '../modules/opinion/opinion.config.ts';
import { detectSpikes } from '../modules/opinion/opinion.alerts.ts';
import { generateOpinionBrief } from '../modules/opinion/opinion.brief.ts';
import type { PostInput } from '../modules/opinion/opinion.schema.ts';
import type { DemoContext } from './index.ts';

const SOURCES = ['weibo', 'wechat', 'forum', 'news-comments'];
const SPREADING = '紧急扩散！内部消息：明天起青山镇所有超市关门，自来水停供三天，大家赶紧囤水囤米！';
/** The same rumour in other words: near-duplicate detection keeps it apart; an analyst merged it. */
const PARAPHRASE = '听说青山镇这两天要停水，镇上的超市也都不开门了，家里赶紧多备点水和大米吧';

export async function seedOpinion(ctx: DemoContext) {
  const { kernel } = ctx;
  const u = await kernel.db.selectFrom('users').selectAll().where('username', '=', 'analyst').executeTakeFirstOrThrow();
  const analyst: Actor = { userId: u.id, username: u.username, displayName: u.display_name, orgId: u.org_id, roles: await loadRoles(kernel.db, u.id), via: 'session', ip: null };
  const now = Date.now();
  // A pseudo-random but repeatable spread of times over the last 72 hours, busier in the daytime.
  let seed = 20200123;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const corpus = loadCorpus().all;
  const posts: PostInput[] = corpus.map((c, i) => {
    const hoursAgo = 2 + rand() * 70;
    return {
      source: SOURCES[i % SOURCES.length]!,
      externalId: `demo-${i}`,
      text: c.text,
      publishedAt: new Date(now - hoursAgo * 3_600_000).toISOString(),
      author: `网友${Math.floor(rand() * 400)}`,
    };
  });
  // This morning a rumour spreads: forty reposts within the last hour.
  for (let i = 0; i < 40; i++) {
    const prefix = ['', '转发：', '【扩散】', '//@青山生活圈: ', '大家注意！'][i % 5];
    posts.push({ source: SOURCES[i % 2]!, externalId: `demo-spread-${i}`, text: `${prefix}${SPREADING}`, publishedAt: new Date(now - (i + 1) * 80_000).toISOString(), author: `网友${500 + i}` });
  }
  const results = [];
  for (let i = 0; i < posts.length; i += 500) results.push(...(await ingestPosts(kernel, analyst, posts.slice(i, i + 500))));

  await createGroup(kernel, analyst, { name: '青山镇生活物资', rule: '(青山镇|青山) AND (超市|停水|自来水|囤|物资)' });
  await createSource(kernel, analyst, { name: '本地论坛RSS', kind: 'rss', url: 'https://bbs.example.cn/forum.rss', pollMinutes: 10 }).then((s) =>
    updateSource(kernel, analyst, s.id, { paused: true }),
  );

  // Refutations: one the library already had, one answering this morning's rumour.
  await createRefutation(kernel, analyst, {
    claim: '喝高度白酒可以预防新冠病毒',
    facts: '饮酒不能预防新型冠状病毒感染，过量饮酒有害健康。请以卫生健康部门发布的信息为准。',
    url: 'https://www.example.gov.cn/piyao/baijiu',
  });
  const spreadCluster = results.find((r) => r.externalId === 'demo-spread-0')!.clusterId;
  const paraphrased = await ingestPosts(
    kernel,
    analyst,
    Array.from({ length: 12 }, (_, i) => ({
      source: SOURCES[(i + 1) % SOURCES.length]!,
      externalId: `demo-para-${i}`,
      text: `${['', '转发：', '真的假的？', '//@青山镇居民群: '][i % 4]}${PARAPHRASE}`,
      publishedAt: new Date(now - (i + 2) * 400_000).toISOString(),
      author: `网友${600 + i}`,
    })),
  );
  const paraCluster = paraphrased[0]!.clusterId;
  if (paraCluster !== spreadCluster) await mergeClusters(kernel, analyst, spreadCluster, [paraCluster]);

  // Analysts' labels on a few posts the model was unsure about.
  const unsure = await kernel.db.selectFrom('opinion_posts').select(['id', 'relevant', 'category']).orderBy('relevance_score').limit(5).execute();
  for (const p of unsure) await labelPost(kernel, analyst, p.id, { relevant: p.relevant === 1, category: p.category as never });

  // Cases: the spreading rumour (being handled), a price lead referred, a concern answered and closed, one new.
  const rumour = (await createCase(kernel, analyst, { clusterId: spreadCluster, assigneeId: analyst.userId })).case;
  await updateCase(kernel, analyst, rumour.id, { status: 'verifying' });
  await addCaseAction(kernel, analyst, rumour.id, { kind: 'note', note: '已联系青山镇政府和区水务集团核实：超市正常营业，无停水计划。' });
  await addCaseAction(kernel, analyst, rumour.id, { kind: 'publish_refutation', claim: '青山镇超市关门、自来水停供三天', facts: '经核实，青山镇超市正常营业，供水正常，无停水计划。请勿轻信、转发未经证实的消息。' });
  // …handed over to news publishing: a draft article for the editors (新闻宣传 › 稿件).
  const drafted = await kernel.db.selectFrom('opinion_refutations').select('id').where('claim', '=', '青山镇超市关门、自来水停供三天').executeTakeFirstOrThrow();
  const [unit] = await handoverTargets(kernel, analyst); // the media centre (媒体单位在前)
  if (unit) await handOverRefutation(kernel, analyst, drafted.id, unit.id);
  const byCategory = async (category: string) =>
    (await kernel.db.selectFrom('opinion_clusters').select('id').where('category', '=', category).where('relevant', '=', 1).orderBy('size', 'desc').limit(1).executeTakeFirst())?.id;
  const priceCluster = await byCategory('price_gouging');
  if (priceCluster) {
    const c = (await createCase(kernel, analyst, { clusterId: priceCluster, assigneeId: analyst.userId })).case;
    await addCaseAction(kernel, analyst, c.id, { kind: 'refer_regulator', regulator: '区市场监督管理局', note: '请核查相关商户口罩、蔬菜价格。' });
  }
  const concernCluster = await byCategory('concern');
  if (concernCluster) {
    const c = (await createCase(kernel, analyst, { clusterId: concernCluster })).case;
    await addCaseAction(kernel, analyst, c.id, { kind: 'answer_concern', note: '已在区政府网站和微信公众号发布返乡人员登记办法和各村（社区）联系电话。', close: true });
  }
  const otherRumor = await kernel.db
    .selectFrom('opinion_clusters')
    .select('id')
    .where('category', '=', 'rumor')
    .where('id', '!=', spreadCluster)
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (otherRumor) await createCase(kernel, analyst, { clusterId: otherRumor.id });

  await detectSpikes(kernel);
  await generateOpinionBrief(kernel, analyst, { format: 'markdown' });
}
